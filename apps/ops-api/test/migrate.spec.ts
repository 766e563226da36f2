import { dropDatabase, queryDatabase, databaseUrl, uniqueName, PG_ADMIN_URL } from '../../../test/support/databases';
import { ensureDatabase } from '../src/prisma/migrate';

describe('ensureDatabase', () => {
  const name = uniqueName('ensure-db');
  afterAll(() => dropDatabase(name));

  it('creates a missing operations database, and leaves an existing one alone', async () => {
    const exists = async () =>
      (await queryDatabase(PG_ADMIN_URL, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;
    expect(await exists()).toBe(false);
    await ensureDatabase(databaseUrl(name));
    expect(await exists()).toBe(true);
    await queryDatabase(databaseUrl(name), 'CREATE TABLE kept (id int)');
    await ensureDatabase(databaseUrl(name));
    expect(await queryDatabase(databaseUrl(name), "SELECT to_regclass('kept') IS NOT NULL AS kept")).toEqual([{ kept: true }]);
  });

  it('reports a server that does not answer instead of hiding it', async () => {
    await expect(ensureDatabase('postgres://postgres@127.0.0.1:1/nope')).rejects.toThrow(/ECONNREFUSED/);
  });
});
