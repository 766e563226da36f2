module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'ops-api',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
