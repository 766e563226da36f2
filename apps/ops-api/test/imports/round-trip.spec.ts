import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { TableDigest, type TableDigestResult } from '@omt/copy-text';
import type { TableSchema } from '@omt/contracts';
import { PG_ADMIN_URL, dropDatabase, uniqueName } from '../../../../test/support/databases';
import { PostgresSource } from '../../../agent/src/source/postgres-source';
import { tableSchemaOf, findTable } from '../../../agent/src/source/table-schema';
import { batchText } from '../../../agent/src/source/source-connector';
import { TenantDatabase, tenantDatabaseUrl } from '../../src/tenants/tenant-database';
import { loadBatch } from '../../src/table-import/batch-loader';
import { describeMismatches, digestTenantTable, verifyTenant } from '../../src/verification/table-verifier';
import { createAllTypesTable } from '../../../../test/support/all-types-fixture';

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

async function introspected(name: string): Promise<TableSchema> {
  return tableSchemaOf(findTable(await source.introspect(), name)!);
}

/** What the agent does: stream batches, digest them as it goes; what the worker does: load each. */
async function migrate(table: TableSchema, limits = { maxRows: 2, maxBytes: 1 << 20 }): Promise<TableDigestResult> {
  await tenant.createTable(table);
  const digest = new TableDigest();
  for await (const batch of source.streamTable(table, limits)) {
    digest.update(batchText(batch));
    const sha256 = createHash('sha256').update(batchText(batch)).digest('hex');
    const result = await loadBatch({ tenant, table, sequence: batch.sequence, sha256, data: batchText(batch), rows: batch.rows });
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
  await createAllTypesTable(admin);
  // A text that is COPY's end-of-data marker `\.` on its own, and other one-character edge cases.
  await admin.query(`INSERT INTO src."All Types" VALUES
 (7, 1, 1, 1, '0.5', 1, '0.5', '0.1', '0.30000000000000004', true, '\\.', '.', '\\', NULL, NULL, NULL, NULL, NULL, NULL, '')`);
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
