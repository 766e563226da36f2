import { createTestDatabase, queryDatabase, type TestDatabase } from '../../../test/support/databases';
import { crmTables } from '../src/sample/crm-schema';
import { createTablePgSql } from '../src/source/pg-ddl';
import { PostgresSource } from '../src/source/postgres-source';
import { NO_LOGIN_EVENT, liftOnsiteFreeze, withOnsiteFreeze } from '../src/source/onsite-freeze';
import { systemEventSql } from '../src/source/system-event-sql';

let db: TestDatabase;
let source: PostgresSource;

const events = async () =>
  (
    await queryDatabase(db.url, 'SELECT "SystemEvent_id" AS id, eventkey, eventmess FROM crm7."SystemEvent" ORDER BY 1')
  ).map((r) => ({ ...r }));

beforeAll(async () => {
  db = await createTestDatabase('freeze');
  const systemEvent = crmTables({ customizations: false }).find((t) => t.name === 'SystemEvent')!;
  await queryDatabase(db.url, `CREATE SCHEMA crm7; ${createTablePgSql('crm7', systemEvent)}`);
  source = new PostgresSource(db.url, 'crm7');
});

afterAll(async () => {
  await source?.close();
  await db?.drop();
});

beforeEach(async () => {
  await queryDatabase(db.url, `DELETE FROM crm7."SystemEvent"`);
  await queryDatabase(db.url, `INSERT INTO crm7."SystemEvent" VALUES (1, 'DbSetup', 'Database upgraded', now())`);
});

it('freezes the onsite CRM for a live upload and keeps the freeze once it succeeded', async () => {
  const during = await withOnsiteFreeze(source, 'live', async () => events());
  expect(during).toEqual([
    { id: 1, eventkey: 'DbSetup', eventmess: 'Database upgraded' },
    { id: 2, eventkey: NO_LOGIN_EVENT.key, eventmess: NO_LOGIN_EVENT.message },
  ]);
  expect(await events()).toHaveLength(2);
});

it('lifts the freeze when the live upload fails or is cancelled, and rethrows', async () => {
  const failure = new Error('cancelled by ops');
  await expect(
    withOnsiteFreeze(source, 'live', async () => {
      expect((await events()).map((e) => e.eventkey)).toContain(NO_LOGIN_EVENT.key);
      throw failure;
    }),
  ).rejects.toBe(failure);
  expect(await events()).toEqual([{ id: 1, eventkey: 'DbSetup', eventmess: 'Database upgraded' }]);
});

it('leaves the onsite database untouched for a test migration', async () => {
  expect(await withOnsiteFreeze(source, 'test', async () => events())).toEqual([
    { id: 1, eventkey: 'DbSetup', eventmess: 'Database upgraded' },
  ]);
  await expect(withOnsiteFreeze(source, 'test', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
  expect(await events()).toHaveLength(1);
});

it('sets the event once however often a restarted agent freezes, and lifting twice is harmless', async () => {
  await source.setSystemEvent(NO_LOGIN_EVENT.key, NO_LOGIN_EVENT.message);
  await source.setSystemEvent(NO_LOGIN_EVENT.key, NO_LOGIN_EVENT.message);
  expect((await events()).filter((e) => e.eventkey === NO_LOGIN_EVENT.key)).toHaveLength(1);
  await liftOnsiteFreeze(source);
  await liftOnsiteFreeze(source);
  expect(await events()).toHaveLength(1);
});

it("writes SQL Server's statements with quoted names and parameters only", () => {
  const sql = systemEventSql('mssql', 'crm]7');
  expect(sql.set).toBe(
    'INSERT INTO [crm]]7].[SystemEvent] ([SystemEvent_id], [eventkey], [eventmess], [eventtime]) ' +
      'SELECT n.next_id, @key, @message, SYSUTCDATETIME() FROM (SELECT COALESCE(MAX([SystemEvent_id]), 0) + 1 AS next_id FROM [crm]]7].[SystemEvent] WITH (UPDLOCK, HOLDLOCK)) n ' +
      'WHERE NOT EXISTS (SELECT 1 FROM [crm]]7].[SystemEvent] WHERE [eventkey] = @key)',
  );
  expect(sql.clear).toBe('DELETE FROM [crm]]7].[SystemEvent] WHERE [eventkey] = @key');
});
