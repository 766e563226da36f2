// One Jest run across every project, so `npm test` counts all tests at once.
module.exports = {
  projects: [
    '<rootDir>/libs/contracts',
    '<rootDir>/libs/copy-text',
    '<rootDir>/apps/agent',
    '<rootDir>/apps/ops-api',
    '<rootDir>/apps/ops-dashboard',
    '<rootDir>/test',
  ],
};
