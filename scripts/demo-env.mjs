// Where `npm run demo` keeps its operations: one definition, read by the demo
// and by `npm run ops`, so an API key or user made with the README's ops
// command lands in the database the demo's API reads.
import path from 'node:path';
import { ROOT } from './lib.mjs';

export const DEMO_DIR = path.join(ROOT, '.omt/demo');
/** The PostgreSQL server the demo uses (its databases are created there). */
export const DEMO_PG_URL = process.env.OMT_DEMO_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database on the demo's server. */
export function demoDatabaseUrl(name) {
  return Object.assign(new URL(DEMO_PG_URL), { pathname: `/${name}` }).toString();
}

/**
 * The demo's operations database: DATABASE_URL when set, else `omt_demo`
 * (OMT_DEMO_DATABASE names another, e.g. for a second demo or a test).
 */
export function demoOpsDatabaseUrl(env = process.env) {
  return env.DATABASE_URL ?? demoDatabaseUrl(env.OMT_DEMO_DATABASE ?? 'omt_demo');
}

/** The API's environment in the demo; every value can be overridden by the caller's environment. */
export function demoEnvironment(env = process.env) {
  return {
    ...env,
    DATABASE_URL: demoOpsDatabaseUrl(env),
    REDIS_URL: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    OMT_REDIS_PREFIX: env.OMT_REDIS_PREFIX ?? 'omt-demo',
    OMT_BLOB_DIR: env.OMT_BLOB_DIR ?? path.join(DEMO_DIR, 'blobs'),
    OMT_TENANT_ARCHIVE_DIR: env.OMT_TENANT_ARCHIVE_DIR ?? path.join(DEMO_DIR, 'tenant-archives'),
    // A known local login for the demo only (created on first start while no admin exists).
    OMT_ADMIN_EMAIL: env.OMT_ADMIN_EMAIL ?? 'admin@omt.local',
    OMT_ADMIN_PASSWORD: env.OMT_ADMIN_PASSWORD ?? 'omt-demo-admin',
  };
}
