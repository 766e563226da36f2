import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { Logger } from 'pino';

const run = promisify(execFile);
const API_ROOT = path.resolve(__dirname, '../..');
const MIGRATIONS_DIR = path.join(API_ROOT, 'prisma/migrations');
const PRISMA_CLI = require.resolve('prisma/build/index.js');

/** Names of the migrations this build ships that the database has not finished yet. */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const shipped = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const table = await client.query<{ exists: boolean }>(
      `SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS exists`,
    );
    if (!table.rows[0]?.exists) return shipped;
    const applied = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const done = new Set(applied.rows.map((row) => row.migration_name));
    return shipped.filter((name) => !done.has(name));
  } finally {
    await client.end();
  }
}

/**
 * Creates the operations database when it does not exist yet (first start on
 * a new server). Only then does it connect to the `postgres` maintenance
 * database, which a production role may not be allowed to reach.
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const probe = new Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error; // 3D000: database does not exist
  } finally {
    await probe.end().catch(() => undefined);
  }
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (error) {
    // Another process created it between our probe and this statement.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}

/**
 * Applies the shipped Prisma migrations with `prisma migrate deploy`. The CLI
 * is only started when something is pending: it lingers ~10 s after its work
 * (see prisma/migration-adapter.ts), which a normal restart should not pay.
 */
export async function migrateDatabase(databaseUrl: string, logger: Logger): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const pending = await pendingMigrations(databaseUrl);
  if (pending.length === 0) return [];
  logger.info({ pending }, 'applying database migrations');
  await run(process.execPath, [PRISMA_CLI, 'migrate', 'deploy'], {
    cwd: API_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1' },
  });
  return pending;
}
