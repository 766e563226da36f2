import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { MigrationPgAdapter } from './prisma/migration-adapter';

// Prisma 6.19 drives migrations offline with the WebAssembly schema engine
// through this driver adapter (the native engine cannot be downloaded here).
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  adapter: async () =>
    new MigrationPgAdapter(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/omt_ops'),
});
