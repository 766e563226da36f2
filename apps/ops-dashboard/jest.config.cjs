module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'ops-dashboard',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.spec.tsx'],
};
