// Shared Jest settings: swc transforms TypeScript (type checking is the
// separate `tsc --noEmit` step of `npm test`), including Nest 12 and tus,
// which ship ES modules only.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)sx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true, tsx: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@tus|srvx)/)'],
  moduleNameMapper: {
    // Generated Prisma client imports its TypeScript siblings with a .js suffix.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@omt/contracts$': path.join(__dirname, 'libs/contracts/src/index.ts'),
    '^@omt/copy-text$': path.join(__dirname, 'libs/copy-text/src/index.ts'),
  },
};
