import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Each test run works in databases and Redis keys of its own, so parallel
 * runs (and CI beside a developer) never collide. The server is the
 * machine's PostgreSQL unless OMT_TEST_PG_URL points elsewhere.
 */
export const PG_ADMIN_URL = process.env.OMT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.OMT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniqueName(label: string): string {
  const safe = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 20);
  return `omt_t_${safe}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export function databaseUrl(name: string, adminUrl = PG_ADMIN_URL): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = uniqueName(label);
  await adminQuery(`CREATE DATABASE "${name}"`);
  return {
    name,
    url: databaseUrl(name),
    drop: () => dropDatabase(name),
  };
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** One query on its own connection, for tests that look at a database with SQL rather than through the code under test. */
export async function queryDatabase(url: string, text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function adminQuery(sql: string): Promise<void> {
  await queryDatabase(PG_ADMIN_URL, sql);
}

/** A Redis key prefix of this run's own (BullMQ `prefix`, socket.io adapter key). */
export function uniqueRedisPrefix(label: string): string {
  return `omt-test:${uniqueName(label)}`;
}
