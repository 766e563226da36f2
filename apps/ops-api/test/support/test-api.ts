import type { INestApplicationContext } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { startApp } from '../../src/bootstrap';
import { createLogger } from '../../src/common/logger';
import { randomBytes } from 'node:crypto';
import { REDIS_URL, dropDatabase, queryDatabase, uniqueRedisPrefix, type TestDatabase } from '../../../../test/support/databases';
import { createOpsDatabase } from './ops-database';
import { testHelpers, type TestHelpers } from './auth-helpers';

export interface TestApi extends TestHelpers {
  url: string;
  config: AppConfig;
  database: TestDatabase;
  /** The app's Nest container, to call services directly (e.g. TicketStateService). */
  context: INestApplicationContext;
  close(): Promise<void>;
}

/**
 * The real API (and optionally the worker) on a free port, with its own
 * database, Redis key prefix, blob directory and tenant database names
 * (a prefix of its own); `close()` removes them all, tenants included.
 */
export async function startTestApi(
  label: string,
  options: { worker?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<TestApi> {
  const database = await createOpsDatabase(label);
  const blobDir = await mkdtemp(path.join(os.tmpdir(), 'omt-blobs-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_URL,
    OMT_REDIS_PREFIX: uniqueRedisPrefix(label),
    OMT_BLOB_DIR: blobDir,
    OMT_MIGRATE_ON_START: 'false',
    OMT_TENANT_DATABASE_PREFIX: `omt_t_${randomBytes(4).toString('hex')}_`,
    ...options.env,
  });
  const app = await startApp(config, { api: true, worker: options.worker ?? false }, createLogger('warn', 'test-api'));
  return {
    ...testHelpers(app.url, app.context),
    url: app.url,
    config,
    database,
    context: app.context,
    close: async () => {
      await app.close();
      // A test may have dropped its operations database already (health): then it has no tenants left to list.
      const tenants = await queryDatabase(database.url, 'SELECT "databaseName" FROM "Tenant"').catch(() => []);
      for (const { databaseName } of tenants) await dropDatabase(databaseName as string);
      await database.drop();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}
