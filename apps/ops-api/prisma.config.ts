import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { MigrationPgAdapter } from './prisma/migration-adapter';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/omt_ops';

// Without DATABASE_URL in its environment, Prisma 6.19's `generate` falls back
// to downloading the native query engine, which these machines cannot reach;
// with it (it does not connect), it generates the engine-less client offline.
process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL;

// Prisma 6.19 drives migrations offline with the WebAssembly schema engine
// through this driver adapter (the native engine cannot be downloaded here).
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  adapter: async () =>
    new MigrationPgAdapter(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL),
});
