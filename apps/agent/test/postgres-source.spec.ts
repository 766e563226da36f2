import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { TableSchema } from '@omt/contracts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases';
import { PostgresSource, isPgRowTooLongError, pgOversizeRowsSql } from '../src/source/postgres-source';
import { createTablePgSql } from '../src/source/pg-ddl';
import { tableSchemaOf, findTable } from '../src/source/table-schema';
import { batchText, type TableBatch } from '../src/source/source-connector';
import { createAllTypesTable } from '../../../test/support/all-types-fixture';

/** Jest does not pass --expose-gc; V8 can still hand out `gc` after the flag is set at run time. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

let db: TestDatabase;
let admin: Client;

beforeAll(async () => {
  db = await createTestDatabase('pgsource');
  admin = new Client({ connectionString: db.url });
  await admin.connect();
  await admin.query('CREATE SCHEMA src; CREATE SCHEMA dst;');
});

afterAll(async () => {
  await admin?.end();
  await db?.drop();
});

async function loadBatches(target: Client, schema: string, table: TableSchema, batches: AsyncIterable<TableBatch>) {
  const columns = table.columns.map((c) => `"${c.name.replace(/"/g, '""')}"`).join(', ');
  const sink = target.query(copyFrom(`COPY "${schema}"."${table.name.replace(/"/g, '""')}" (${columns}) FROM STDIN`));
  const datas: Buffer[] = [];
  for await (const batch of batches) datas.push(batchText(batch));
  await pipeline(Readable.from(datas), sink);
}

describe('PostgresSource', () => {
  let source: PostgresSource;
  beforeAll(async () => {
    await createAllTypesTable(admin);
    source = new PostgresSource(db.url, 'src');
  });
  afterAll(() => source.close());

  it('introspects columns, neutral types and primary keys', async () => {
    await admin.query('CREATE TABLE src.composite (b text, a int, PRIMARY KEY (a, b))');
    await admin.query('CREATE TABLE src.nokey (v int)');
    await admin.query('CREATE TABLE src.odd (n numeric, j jsonb)');
    const tables = await source.introspect();
    const all = tableSchemaOf(findTable(tables, 'All Types')!);
    expect(all.primaryKey).toEqual(['id']);
    expect(all.columns.map((c) => c.name)).toContain('weird "name"');
    expect(Object.fromEntries(all.columns.map((c) => [c.name, c.type]))).toMatchObject({
      i16: { kind: 'int16' },
      i64: { kind: 'int64' },
      d38: { kind: 'decimal', precision: 38, scale: 10 },
      f4: { kind: 'float32' },
      vc: { kind: 'text', maxLength: 40 },
      ch: { kind: 'text', maxLength: 3 },
      t: { kind: 'text', maxLength: null },
      bin: { kind: 'binary', maxLength: null },
      tstz: { kind: 'timestamptz' },
      u: { kind: 'uuid' },
    });
    expect(all.columns.find((c) => c.name === 'id')!.nullable).toBe(false);
    expect(findTable(tables, 'composite')!.primaryKey).toEqual(['a', 'b']);
    expect(findTable(tables, 'nokey')!.primaryKey).toEqual([]);
    expect(() => tableSchemaOf(findTable(tables, 'odd')!)).toThrow(/n \(numeric\), j \(jsonb\)/);
    expect(await source.countRows('All Types')).toBe(6);
  });

  it('round-trips every neutral type exactly through COPY text', async () => {
    const table = tableSchemaOf(findTable(await source.introspect(), 'All Types')!);
    await admin.query(createTablePgSql('dst', table));
    await loadBatches(admin, 'dst', table, source.streamTable(table, { maxRows: 2, maxBytes: 1 << 20 }));
    // Compared as each row's text form: stricter than `=` (which holds for -0 = 0 and ignores char padding).
    const diff = await admin.query(`
      SELECT id FROM (
        (SELECT s.id, s::text FROM src."All Types" s EXCEPT ALL SELECT d.id, d::text FROM dst."All Types" d)
        UNION ALL
        (SELECT d.id, d::text FROM dst."All Types" d EXCEPT ALL SELECT s.id, s::text FROM src."All Types" s)) x`);
    expect(diff.rows).toEqual([]);
    const count = await admin.query('SELECT count(*)::int AS n FROM dst."All Types"');
    expect(count.rows[0].n).toBe(6);
  });

  it('streams in primary-key order, completely, in bounded batches', async () => {
    await admin.query('CREATE TABLE src.ordered (k2 text, k1 int, payload text, PRIMARY KEY (k1, k2))');
    await admin.query(
      `INSERT INTO src.ordered SELECT (g % 7)::text, (g * 7919) % 5003, repeat('x', g % 50) FROM generate_series(1, 5003) g`,
    );
    const table = tableSchemaOf(findTable(await source.introspect(), 'ordered')!);
    const keys: string[] = [];
    let rows = 0;
    let sequence = 0;
    for await (const batch of source.streamTable(table, { maxRows: 100, maxBytes: 1500 })) {
      expect(batch.sequence).toBe(sequence++);
      expect(batch.rows).toBeLessThanOrEqual(100);
      expect(batchText(batch).length).toBeLessThan(1500 + 80);
      expect(batchText(batch).at(-1)).toBe(0x0a);
      const lines = batchText(batch).toString('utf8').split('\n').slice(0, -1);
      expect(lines).toHaveLength(batch.rows);
      rows += batch.rows;
      for (const line of lines) keys.push(line.split('\t').slice(0, 2).join('|'));
    }
    expect(rows).toBe(5003);
    const expected = await admin.query(`SELECT k2 || '|' || k1 AS k FROM src.ordered ORDER BY k1, k2`);
    expect(keys).toEqual(expected.rows.map((r) => r.k));
  });

  it('streams a table without a primary key in one pass', async () => {
    await admin.query('CREATE TABLE src.heap (v int, w text)');
    await admin.query(`INSERT INTO src.heap SELECT g, NULL FROM generate_series(1, 1000) g`);
    const table = tableSchemaOf(findTable(await source.introspect(), 'heap')!);
    const seen = new Set<string>();
    for await (const batch of source.streamTable(table, { maxRows: 64, maxBytes: 1 << 20 })) {
      for (const line of batchText(batch).toString().split('\n').slice(0, -1)) seen.add(line);
    }
    expect(seen.size).toBe(1000);
    expect(seen.has('1\t\\N')).toBe(true);
  });

  it('releases the connection when the consumer stops early', async () => {
    const table = tableSchemaOf(findTable(await source.introspect(), 'heap')!);
    for (let i = 0; i < 6; i++) {
      for await (const batch of source.streamTable(table, { maxRows: 10, maxBytes: 1 << 20 })) {
        expect(batch.rows).toBe(10);
        break;
      }
    }
    expect(await source.countRows('heap')).toBe(1000);
  });

  it('keeps memory bounded while streaming a large table', async () => {
    await admin.query('CREATE TABLE src.big (id bigint PRIMARY KEY, body text)');
    await admin.query(`INSERT INTO src.big SELECT g, md5(g::text) || repeat('y', 150) FROM generate_series(1, 300000) g`);
    const table = tableSchemaOf(findTable(await source.introspect(), 'big')!);
    const gc = exposeGc();
    gc();
    const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    let peak = 0;
    let rows = 0;
    let bytes = 0;
    for await (const batch of source.streamTable(table, { maxRows: 500, maxBytes: 256 * 1024 })) {
      rows += batch.rows;
      bytes += batchText(batch).length;
      if (batch.sequence % 50 === 0) {
        gc();
        const usage = process.memoryUsage();
        peak = Math.max(peak, usage.heapUsed + usage.arrayBuffers - before);
      }
    }
    expect(rows).toBe(300000);
    expect(bytes).toBeGreaterThan(50 * 1024 * 1024);
    // The table is ~55 MB of COPY text; growth stays a small fraction of it.
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  });

  it('names the rows PostgreSQL cannot print from their stored sizes, never printing them', async () => {
    await admin.query(`CREATE TABLE src.blobs (id int, part text, data bytea, note text, PRIMARY KEY (id, part));
      INSERT INTO src.blobs VALUES (1, 'a', '\\x00', 'x'), (2, 'b', decode(repeat('ab', 3000), 'hex'), NULL), (3, 'c', NULL, repeat('y', 7000))`);
    const table = tableSchemaOf(findTable(await source.introspect(), 'blobs')!);
    const found = await admin.query(pgOversizeRowsSql('src', table), [5000]);
    expect(found.rows).toEqual([{ key: '2, b' }, { key: '3, c' }]);
    expect(isPgRowTooLongError({ code: 'XX000', message: 'invalid memory alloc request size 1073741828' })).toBe(true);
    expect(isPgRowTooLongError({ code: '54000', message: 'out of memory' })).toBe(true);
    expect(isPgRowTooLongError({ code: '42P01', message: 'relation does not exist' })).toBe(false);
  });
});
