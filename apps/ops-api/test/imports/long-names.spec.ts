import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { QUEUES, ticketDetailSchema, type TableSchema } from '@omt/contracts';
import { TableDigest, tenantIdentifier, tenantPrimaryKeyName } from '@omt/copy-text';
import { createTestDatabase, databaseUrl, queryDatabase, type TestDatabase } from '../../../../test/support/databases';
import { createSampleDatabase } from '../../../agent/src/sample/sample-db';
import { sampleUsers } from '../../../agent/src/sample/sample-users';
import { PostgresSource } from '../../../agent/src/source/postgres-source';
import { batchText } from '../../../agent/src/source/source-connector';
import { tableSchemaOf } from '../../../agent/src/source/table-schema';
import { TenantDatabase, openTenantPool } from '../../src/tenants/tenant-database';
import { tableJobId } from '../../src/queues/job-ids';
import { QueuesService } from '../../src/queues/queues.service';
import type { Credential } from '../support/auth-helpers';
import { startTestApi, type TestApi } from '../support/test-api';
import { samplePlan, services, ticketReaches } from '../pipeline/upload-seed';
import { putBatch, startRequest, tablePath, tableSchema } from '../uploads/upload-fixtures';

/**
 * SQL Server names of up to 128 characters in a PostgreSQL tenant (63
 * bytes): the sample CRM plus three tables whose names (and one column's)
 * are as long as SQL Server allows, through the real API and worker. A
 * PostgreSQL source cannot hold such names itself, so the source tables
 * have short names and the upload announces them under the long ones, as
 * the SQL Server connector would: the names are the only difference, the
 * COPY text is the source's own. Results are read from PostgreSQL's catalog.
 */
const SAMPLE = { seed: 7, size: 'small', problems: ['duplicate-emails'] } as const;
const PREFIX = `Customer_relationship_archive_table_for_long_names_${'x'.repeat(19)}`; // 70 characters
const LONG_A = `${PREFIX}${'a'.repeat(30)}`;
const LONG_B = `${PREFIX}${'b'.repeat(30)}`;
const LONG_COLUMN = `description_of_the_customer_relationship_${'c'.repeat(59)}`;
/** The stand-in's renaming: source table → the name a SQL Server source would give, and its columns. */
const RENAMED: Record<string, { name: string; columns: Record<string, string> }> = {
  long_a: { name: LONG_A, columns: { c: LONG_COLUMN } },
  long_b: { name: LONG_B, columns: {} },
};


function renamed(table: TableSchema): TableSchema {
  const map = RENAMED[table.name];
  if (!map) return table;
  const column = (name: string) => map.columns[name] ?? name;
  return {
    name: map.name,
    columns: table.columns.map((c) => ({ ...c, name: column(c.name) })),
    primaryKey: table.primaryKey.map(column),
  };
}

let api: TestApi;
let sales: Credential;
let ops: Credential;
let sourceDb: TestDatabase;
let archive: string;
let source: PostgresSource;

beforeAll(async () => {
  api = await startTestApi('long_names', { worker: true });
  sales = await api.createSalesKey();
  ops = await api.loginAs('ops');
  sourceDb = await createTestDatabase('long_names_src');
  archive = await mkdtemp(path.join(os.tmpdir(), 'omt-long-names-archive-'));
  await createSampleDatabase({ ...SAMPLE, problems: [...SAMPLE.problems], target: sourceDb.url, archive });
  await queryDatabase(
    sourceDb.url,
    `CREATE TABLE crm7.long_a (id integer PRIMARY KEY, c text, big varchar(50));
     INSERT INTO crm7.long_a SELECT i, 'relationship ' || i || ' æøå', repeat('v', i % 50) FROM generate_series(1, 250) i;
     CREATE TABLE crm7.long_b (id integer PRIMARY KEY, note text);
     INSERT INTO crm7.long_b SELECT i, 'note ' || i FROM generate_series(1, 120) i;`,
  );
  // A declared length PostgreSQL refuses (its varchar limit is 10485760): written into the catalog, as no DDL can.
  await queryDatabase(
    sourceDb.url,
    `UPDATE pg_attribute SET atttypmod = 20000000 + 4 WHERE attrelid = 'crm7.long_a'::regclass AND attname = 'big'`,
  );
  source = new PostgresSource(sourceDb.url, 'crm7');
}, 120_000);

afterAll(async () => {
  await source?.close();
  await api?.close();
  await sourceDb?.drop();
  if (archive) await rm(archive, { recursive: true, force: true });
}, 60_000);

/** A ticket that is ready, with its plan, and its agent's token. */
async function readyTicket(): Promise<{ id: string; agent: Credential }> {
  const created = await api.createTicket(sales, { kind: 'test' });
  const agent = await api.enroll(created.enrollmentCode);
  const { prisma, states } = services(api);
  await states.transition(created.ticket.id, 'ready', 'system', 'checks passed (test)');
  await prisma.ticket.update({ where: { id: created.ticket.id }, data: { plan: samplePlan(sampleUsers(SAMPLE)) } });
  return { id: created.ticket.id, agent };
}

const ok = (answer: { status: number; body: unknown }, what: string) => {
  if (answer.status >= 300) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
};

it('stores long names under their mapped names with every row, verifies, and shows the mapping', async () => {
  const { id, agent } = await readyTicket();
  const tables = (await source.introspect()).map(tableSchemaOf);
  const counts = new Map(await Promise.all(tables.map(async (t) => [t.name, await source.countRows(t.name)] as const)));
  const start = startRequest(Object.fromEntries(tables.map((t) => [renamed(t).name, counts.get(t.name)!])));
  ok(await api.call('POST', '/api/agent/upload', { as: agent, body: start }), 'upload start');
  for (const table of tables) {
    const sent = renamed(table);
    expect(sent.name.length).toBeLessThanOrEqual(128);
    ok(await api.call('PUT', tablePath(sent.name), { as: agent, body: sent }), `schema of ${sent.name}`);
    const digest = new TableDigest();
    let batches = 0;
    for await (const batch of source.streamTable(table, { maxRows: 100, maxBytes: 1 << 20 })) {
      const text = batchText(batch);
      digest.update(text);
      ok(await putBatch(api, agent, sent.name, batch.sequence, text), `batch ${batch.sequence} of ${sent.name}`);
      batches++;
    }
    ok(
      await api.call('POST', tablePath(sent.name, '/complete'), { as: agent, body: { batches, ...digest.digest() } }),
      `figures of ${sent.name}`,
    );
  }
  ok(await api.call('POST', '/api/agent/upload/complete', { as: agent }), 'upload complete');
  expect(await ticketReaches(api, id, ['completed', 'failed', 'verification_failed'])).toBe('completed');

  // PostgreSQL's own catalog: both long tables, apart, under the mapped names, with all rows.
  const { prisma } = services(api);
  const ticket = await prisma.ticket.findUniqueOrThrow({ where: { id }, include: { tenant: true } });
  const tenant = databaseUrl(ticket.tenant.databaseName);
  const tenantA = tenantIdentifier(LONG_A);
  const tenantB = tenantIdentifier(LONG_B);
  expect(tenantA).not.toBe(tenantB);
  for (const name of [tenantA, tenantB]) expect(Buffer.byteLength(name)).toBe(63);
  const relations = await queryDatabase(
    tenant,
    `SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'crm7' AND c.relname LIKE $1 ORDER BY 1`,
    [`${PREFIX.slice(0, 40)}%`],
  );
  expect(relations).toEqual(
    [
      { relname: tenantA, relkind: 'r' },
      { relname: tenantB, relkind: 'r' },
      { relname: tenantPrimaryKeyName(LONG_A), relkind: 'i' },
      { relname: tenantPrimaryKeyName(LONG_B), relkind: 'i' },
    ].sort((x, y) => (x.relname < y.relname ? -1 : 1)),
  );
  const count = async (url: string, qualified: string) =>
    Number((await queryDatabase(url, `SELECT count(*) AS n FROM ${qualified}`))[0]!.n);
  expect(await count(tenant, `crm7."${tenantA}"`)).toBe(250);
  expect(await count(tenant, `crm7."${tenantB}"`)).toBe(120);
  const rows = (url: string, qualified: string) =>
    queryDatabase(url, `SELECT t::text AS r FROM ${qualified} t ORDER BY 1`).then((r) => r.map((x) => x.r));
  expect(await rows(tenant, `crm7."${tenantA}"`)).toEqual(await rows(sourceDb.url, 'crm7.long_a'));
  expect(await rows(tenant, `crm7."${tenantB}"`)).toEqual(await rows(sourceDb.url, 'crm7.long_b'));

  // The long column under its mapped name; the refused varchar(20000000) as text, which holds every value.
  const columns = await queryDatabase(
    tenant,
    `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns
      WHERE table_schema = 'crm7' AND table_name = $1 ORDER BY ordinal_position`,
    [tenantA],
  );
  expect(columns).toEqual([
    { column_name: 'id', data_type: 'integer', character_maximum_length: null },
    { column_name: tenantIdentifier(LONG_COLUMN), data_type: 'text', character_maximum_length: null },
    { column_name: 'big', data_type: 'text', character_maximum_length: null },
  ]);

  // The mapping is recorded with the table in the tenant's own bookkeeping.
  const recorded = await queryDatabase(
    tenant,
    `SELECT table_name, tenant_name, renamed_columns FROM _omt.source_tables WHERE table_name = ANY($1) ORDER BY table_name`,
    [[LONG_A, LONG_B]],
  );
  expect(recorded).toEqual([
    {
      table_name: LONG_A,
      tenant_name: tenantA,
      renamed_columns: [{ source: LONG_COLUMN, tenant: tenantIdentifier(LONG_COLUMN) }],
    },
    { table_name: LONG_B, tenant_name: tenantB, renamed_columns: [] },
  ]);

  // Ops see it on the ticket: verified, stored as, renamed columns.
  const detail = ticketDetailSchema.parse((await api.call('GET', `/api/tickets/${id}/detail`, { as: ops })).body);
  const byName = new Map(detail.tables.map((t) => [t.name, t]));
  expect(byName.get(LONG_A)).toMatchObject({
    tenantName: tenantA,
    renamedColumns: [{ source: LONG_COLUMN, tenant: tenantIdentifier(LONG_COLUMN) }],
    verified: true,
    verificationMessage: `Equal to the source as "${tenantA}" in the tenant.`,
    rowsImported: 250,
  });
  expect(byName.get(LONG_B)).toMatchObject({
    tenantName: tenantB,
    renamedColumns: [],
    verified: true,
    rowsImported: 120,
  });
  expect(byName.get('associate')).toMatchObject({ tenantName: 'associate', renamedColumns: [], verified: true });
}, 180_000);

describe('names PostgreSQL cannot hold apart', () => {
  const tableRow = (ticketId: string, name: string) =>
    queryDatabase(api.database.url, 'SELECT name, schema FROM "TableUpload" WHERE "ticketId" = $1 AND name = $2', [
      ticketId,
      name,
    ]);

  it('refuses an upload whose table names would share a tenant name, naming both, before anything is stored', async () => {
    const { id, agent } = await readyTicket();
    const clash = tenantIdentifier(LONG_A); // a real name, 63 bytes, equal to LONG_A's mapped name
    const answer = await api.call('POST', '/api/agent/upload', {
      as: agent,
      body: startRequest({ [LONG_A]: 1, [clash]: 1 }),
    });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      code: 'NAME_COLLISION',
      details: [{ path: 'tables', message: expect.stringContaining(LONG_A) }],
    });
    expect(answer.body.message).toContain(`table "${clash}"`);
    expect(await queryDatabase(api.database.url, 'SELECT state FROM "Ticket" WHERE id = $1', [id])).toEqual([
      { state: 'ready' },
    ]);
    expect(await queryDatabase(api.database.url, 'SELECT name FROM "TableUpload" WHERE "ticketId" = $1', [id])).toEqual(
      [],
    );
  });

  it('refuses a schema whose key name is another table, or whose columns clash: nothing stored, nothing queued', async () => {
    const { id, agent } = await readyTicket();
    const collidingColumns: TableSchema = {
      name: 'wide',
      columns: [
        { name: LONG_COLUMN, type: { kind: 'int32' }, nullable: false },
        { name: tenantIdentifier(LONG_COLUMN), type: { kind: 'int32' }, nullable: true },
      ],
      primaryKey: [LONG_COLUMN],
    };
    ok(
      await api.call('POST', '/api/agent/upload', { as: agent, body: startRequest({ a: 1, a_pkey: 1, wide: 1 }) }),
      'upload start',
    );
    // Table `a` with a key: its index would be `a_pkey`, the name of the other table.
    const keyed = await api.call('PUT', tablePath('a'), { as: agent, body: tableSchema('a') });
    expect(keyed.status).toBe(422);
    expect(keyed.body).toMatchObject({ code: 'NAME_COLLISION' });
    expect(keyed.body.message).toContain('the primary key of table "a"');
    expect(keyed.body.message).toContain('table "a_pkey"');
    const wide = await api.call('PUT', tablePath('wide'), { as: agent, body: collidingColumns });
    expect(wide.status).toBe(422);
    expect(wide.body).toMatchObject({ code: 'NAME_COLLISION', details: [{ path: 'tables.wide.columns' }] });
    expect(await tableRow(id, 'a')).toEqual([{ name: 'a', schema: null }]);
    expect(await tableRow(id, 'wide')).toEqual([{ name: 'wide', schema: null }]);
    const queue = api.context.get(QueuesService, { strict: false }).queue(QUEUES.import);
    expect(await queue.getJob(tableJobId(id, 'a'))).toBeUndefined();
    expect(await queue.getJob(tableJobId(id, 'wide'))).toBeUndefined();
  });

  it('holds the line in the worker: a table whose tenant name is taken fails permanently, naming both', async () => {
    const db = await createTestDatabase('long_names_tenant');
    const tenant = new TenantDatabase(openTenantPool(db.url), 'crm7');
    try {
      await tenant.prepare();
      expect(await tenant.createTable(tableSchema(LONG_A))).toBe('created');
      const clash = tenantIdentifier(LONG_A);
      await expect(tenant.createTable(tableSchema(clash))).rejects.toMatchObject({
        code: 'NAME_COLLISION',
        message: expect.stringContaining(`table "${LONG_A}" and table "${clash}"`),
      });
      expect(await queryDatabase(db.url, 'SELECT table_name, tenant_name FROM _omt.source_tables')).toEqual([
        { table_name: LONG_A, tenant_name: clash },
      ]);
      expect(
        await queryDatabase(
          db.url,
          `SELECT relname FROM pg_class WHERE relnamespace = 'crm7'::regnamespace AND relkind = 'r'`,
        ),
      ).toEqual([{ relname: clash }]);
    } finally {
      await tenant.close();
      await db.drop();
    }
  });
});
