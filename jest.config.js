// One Jest run across every project, so `npm test` counts all tests at once.
module.exports = {
  // Global options must sit here: Jest ignores them in the projects' configs.
  // Generous, because CI shares two cores among PostgreSQL, Redis, the API,
  // the worker and the agent; tests never assert wall-clock times.
  testTimeout: 60_000,
  projects: [
    '<rootDir>/libs/contracts',
    '<rootDir>/libs/copy-text',
    '<rootDir>/apps/agent',
    '<rootDir>/apps/ops-api',
    '<rootDir>/apps/ops-dashboard',
    '<rootDir>/test',
  ],
};
