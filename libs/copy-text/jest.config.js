module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'copy-text',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
