import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { TableDigest, type TableDigestResult } from '@omt/copy-text';
import type { TableSchema } from '@omt/contracts';
import { PG_ADMIN_URL, dropDatabase, uniqueName } from '../../../../test/support/databases';
import { PostgresSource } from '../../../agent/src/source/postgres-source';
import { tableSchemaOf, findTable } from '../../../agent/src/source/table-schema';
import { TenantDatabase, tenantDatabaseUrl } from '../../src/imports/tenant-database';
import { loadBatch } from '../../src/imports/batch-loader';
import { describeMismatches, digestTenantTable, verifyTenant } from '../../src/imports/table-verifier';

/**
 * The whole table path as it will run: the agent's PostgresSource streams
 * COPY text batches from a source schema, the worker loads them into the
 * tenant, and verification digests what landed. Source and tenant schemas
 * share one database here so SQL can compare them row by row.
 */
let database: string;
let tenant: TenantDatabase;
let admin: Client;
let source: PostgresSource;

beforeAll(async () => {
  database = uniqueName('imports_roundtrip');
  tenant = await TenantDatabase.open({ adminUrl: PG_ADMIN_URL, database, schema: 'crm7' });
  const url = tenantDatabaseUrl(PG_ADMIN_URL, database);
  admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query('CREATE SCHEMA src');
  source = new PostgresSource(url, 'src');
});

afterAll(async () => {
  await source?.close();
  await admin?.end();
  await tenant?.close();
  await dropDatabase(database);
});

const ALL_TYPES_DDL = `CREATE TABLE src."All Types" (
  id integer PRIMARY KEY,
  i16 smallint, i32 integer, i64 bigint,
  d38 numeric(38,10), d5 numeric(5,0), d18_4 numeric(18,4),
  f4 real, f8 double precision, b boolean,
  t text, vc varchar(40), ch char(3), bin bytea,
  dt date, tm time, ts timestamp, tstz timestamptz, u uuid,
  "weird ""name""" text
)`;

const ALL_TYPES_ROWS = `INSERT INTO src."All Types" VALUES
 (1, -32768, -2147483648, -9223372036854775808, '9999999999999999999999999999.9999999999', 99999, -12345678901234.5678,
  '-3.4028235e38', '1.7976931348623157e308', true, 'plain', 'Åsa Ødegård 北京 Москва 😀', 'abc',
  '\\x00010203', '0001-01-01', '00:00:00', '0001-01-01 00:00:00', '0001-01-01 00:00:00+00',
  '00000000-0000-0000-0000-000000000000', 'x'),
 (2, 32767, 2147483647, 9223372036854775807, '-9999999999999999999999999999.9999999999', -99999, 0,
  '1.4e-45', '5e-324', false, E'tab\\there\\nnew line\\\\back\\rcr\\bbs\\ffeed\\vvt', '', 'é', '\\x',
  '9999-12-31', '23:59:59.999999', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', E'\\\\N'),
 (3, 0, 0, 0, '0.0000000001', 0, '0.0001', 'NaN', 'NaN', NULL, '', NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, '-0', '-Infinity', NULL, NULL, NULL, NULL, NULL,
  '2024-02-29', '12:34:56.5', '2000-02-29 12:00:00.000001', '1970-01-01 00:00:00+05', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '\\N'),
 (5, NULL, NULL, NULL, NULL, NULL, NULL, 'Infinity', '0.1', NULL, repeat('long ', 20000), NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL),
 (7, 1, 1, 1, '0.5', 1, '0.5', '0.1', '0.30000000000000004', true, '\\.', '.', '\\', NULL, NULL, NULL, NULL, NULL, NULL, '')`;

async function introspected(name: string): Promise<TableSchema> {
  return tableSchemaOf(findTable(await source.introspect(), name)!);
}

/** What the agent does: stream batches, digest them as it goes; what the worker does: load each. */
async function migrate(table: TableSchema, limits = { maxRows: 2, maxBytes: 1 << 20 }): Promise<TableDigestResult> {
  await tenant.createTable(table);
  const digest = new TableDigest();
  for await (const batch of source.streamTable(table, limits)) {
    digest.update(batch.data);
    const sha256 = createHash('sha256').update(batch.data).digest('hex');
    const result = await loadBatch({ tenant, table, sequence: batch.sequence, sha256, data: batch.data, rows: batch.rows });
    expect(result).toEqual({ status: 'loaded', rows: batch.rows });
  }
  return digest.digest();
}

async function sqlDiff(table: string): Promise<unknown[]> {
  const q = `"${table.replace(/"/g, '""')}"`;
  // Each row's text form: stricter than `=` (which holds for -0 = 0 and ignores char padding).
  const diff = await admin.query(`
    SELECT r FROM (
      (SELECT s::text AS r FROM src.${q} s EXCEPT ALL SELECT d::text FROM crm7.${q} d)
      UNION ALL
      (SELECT d::text FROM crm7.${q} d EXCEPT ALL SELECT s::text FROM src.${q} s)) x`);
  return diff.rows;
}

it('round-trips every neutral type exactly, and the digests agree', async () => {
  await admin.query(ALL_TYPES_DDL);
  await admin.query(ALL_TYPES_ROWS);
  await admin.query(`INSERT INTO src."All Types" (id, bin, t) VALUES (6, $1, $2)`, [
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    Array.from({ length: 2000 }, (_, i) => String.fromCodePoint(i + 1)).join('') + '\u{1F600}\u{10FFFF}',
  ]);
  const table = await introspected('All Types');
  const atSource = await migrate(table);

  expect(atSource.rows).toBe(7);
  expect(await sqlDiff('All Types')).toEqual([]);
  expect(await digestTenantTable(tenant, table)).toEqual(atSource);
  expect(await digestTenantTable({ pool: tenant.pool, schema: 'src' }, table)).toEqual(atSource);
  await tenant.addPrimaryKeys();
  expect(await sqlDiff('All Types')).toEqual([]);
});

describe('verification', () => {
  const expected = new Map<string, TableDigestResult>();

  beforeAll(async () => {
    for (const name of ['changed', 'short', 'clean', 'no key']) {
      await admin.query(`CREATE TABLE src."${name}" (id int ${name === 'no key' ? '' : 'PRIMARY KEY'}, v text, d numeric(10,2))`);
      await admin.query(`INSERT INTO src."${name}" SELECT g, 'v' || g, g / 7.0 FROM generate_series(1, 1000) g`);
      expected.set(name, await migrate(await introspected(name), { maxRows: 100, maxBytes: 1 << 20 }));
    }
    // Reported by the agent, never loaded.
    await admin.query(`CREATE TABLE src.absent (id int PRIMARY KEY)`);
    await admin.query(`INSERT INTO src.absent VALUES (1)`);
    expected.set('absent', { rows: 1, hash: createHash('sha256').update('1').digest('hex') });
  });

  it('passes when every table is in as it was', async () => {
    const clean = new Map([...expected].filter(([name]) => name === 'clean' || name === 'no key'));
    expect(await verifyTenant(tenant, clean)).toEqual([]);
  });

  it('names a changed row, a missing row and a missing table', async () => {
    await admin.query(`UPDATE crm7.changed SET v = 'V500' WHERE id = 500`);
    await admin.query(`DELETE FROM crm7.short WHERE id = 999`);
    const mismatches = await verifyTenant(tenant, expected);
    expect(mismatches.map((m) => [m.table, m.kind])).toEqual([
      ['absent', 'missing'],
      ['changed', 'hash'],
      ['short', 'rows'],
    ]);
    expect(mismatches.find((m) => m.kind === 'rows')!.message).toBe('Table "short" has 1000 rows at the source and 999 in the tenant.');
    expect(describeMismatches(mismatches)).toMatch(/^Verification failed for tables "absent", "changed", "short": /);
  });

  it('notices a row duplicated in a table without a key', async () => {
    await admin.query(`INSERT INTO crm7."no key" SELECT * FROM crm7."no key" WHERE id = 1`);
    await admin.query(`DELETE FROM crm7."no key" WHERE id = 2`);
    const [mismatch] = await verifyTenant(tenant, new Map([['no key', expected.get('no key')!]]));
    expect(mismatch).toMatchObject({ table: 'no key', kind: 'hash' });
  });
});
