import { createTestDatabase, uniqueName, databaseUrl, dropDatabase, PG_ADMIN_URL, queryDatabase, type TestDatabase } from '../../../../test/support/databases';
import { migrateDatabase } from '../../src/prisma/migrate';
import { createLogger } from '../../src/common/logger';

/**
 * An operations database of this test's own, already migrated. `npm test`
 * migrates one template per run (OMT_TEST_TEMPLATE_DB) and each test clones
 * it in milliseconds; run alone, a test migrates its own database.
 */
export async function createOpsDatabase(label: string): Promise<TestDatabase> {
  const template = process.env.OMT_TEST_TEMPLATE_DB;
  if (!template) {
    const database = await createTestDatabase(label);
    await migrateDatabase(database.url, createLogger('warn', 'test'));
    return database;
  }
  const name = uniqueName(label);
  await queryDatabase(PG_ADMIN_URL, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}
