module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'ops-api',
  rootDir: __dirname,
  testTimeout: 60000,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
