import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { UnrecoverableError } from 'bullmq';
import type { TableSchema } from '@omt/contracts';
import { PG_ADMIN_URL, dropDatabase, uniqueName } from '../../../../test/support/databases';
import { eventually } from '../../../../test/support/eventually';
import { TenantDatabase, LEDGER_TABLE, tenantDatabaseUrl } from '../../src/tenants/tenant-database';
import { loadBatch, type LoadBatchInput } from '../../src/table-import/batch-loader';
import { PermanentImportError, classifyImportError } from '../../src/queues/job-errors';

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const copyText = (lines: string[]) => Buffer.from(lines.map((l) => l + '\n').join(''), 'utf8');

const CONTACT: TableSchema = {
  name: 'contact "main"',
  columns: [
    { name: 'contact_id', type: { kind: 'int32' }, nullable: false },
    { name: 'name', type: { kind: 'text', maxLength: 40 }, nullable: true },
    { name: 'amount', type: { kind: 'decimal', precision: 5, scale: 2 }, nullable: true },
  ],
  primaryKey: ['contact_id'],
};

let database: string;
let tenant: TenantDatabase;
let admin: Client;
let table: TableSchema;
let tableCount = 0;

beforeAll(async () => {
  database = uniqueName('imports_loader');
  tenant = await TenantDatabase.open({ adminUrl: PG_ADMIN_URL, database, schema: 'crm7' });
  admin = new Client({ connectionString: tenantDatabaseUrl(PG_ADMIN_URL, database) });
  await admin.connect();
});

afterAll(async () => {
  await admin?.end();
  await tenant?.close();
  await dropDatabase(database);
});

/** Every test loads into a fresh table of its own. */
beforeEach(async () => {
  table = { ...CONTACT, name: `${CONTACT.name} ${++tableCount}` };
  await tenant.createTable(table);
});

const rowsOf = async (t = table) =>
  (await admin.query(`SELECT contact_id, name, amount::text FROM crm7."${t.name.replace(/"/g, '""')}" ORDER BY 1`)).rows;
const ledgerOf = async (t = table) =>
  (await admin.query(`SELECT sequence, sha256, rows FROM ${LEDGER_TABLE} WHERE table_name = $1 ORDER BY 1`, [t.name])).rows;

function batch(sequence: number, lines: string[], extra: Partial<LoadBatchInput> = {}): LoadBatchInput {
  const data = copyText(lines);
  return { tenant, table, sequence, sha256: sha(data), data, rows: lines.length, ...extra };
}

async function permanentFailure(promise: Promise<unknown>): Promise<PermanentImportError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnrecoverableError);
  expect(error).toBeInstanceOf(PermanentImportError);
  return error as PermanentImportError;
}

describe('tenant database', () => {
  it('creates a table once, and refuses another definition under the same name', async () => {
    expect(await tenant.createTable(table)).toBe('exists');
    const changed: TableSchema = { ...table, columns: [...table.columns, { name: 'extra', type: { kind: 'uuid' }, nullable: true }] };
    const error = await permanentFailure(tenant.createTable(changed));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain(`"${table.name}"`);
    expect(await tenant.tableSchema(table.name)).toEqual(table);
  });

  it('opens an existing tenant database again without harm', async () => {
    const again = await TenantDatabase.open({ adminUrl: PG_ADMIN_URL, database, schema: 'crm7' });
    await again.close();
    expect((await tenant.tables()).map((t) => t.name)).toContain(table.name);
  });
});

describe('loadBatch', () => {
  it('imports a batch sent twice once', async () => {
    const b = batch(0, ['1\tÅsa\t1.50', '2\t\\N\t\\N', '3\t北京 😀\t-999.99']);
    expect(await loadBatch(b)).toEqual({ status: 'loaded', rows: 3 });
    expect(await loadBatch({ ...b, data: Buffer.from(b.data as Buffer) })).toEqual({ status: 'duplicate', rows: 3 });
    expect(await loadBatch(batch(1, ['4\tx\t0.00']))).toEqual({ status: 'loaded', rows: 1 });
    expect(await rowsOf()).toEqual([
      { contact_id: 1, name: 'Åsa', amount: '1.50' },
      { contact_id: 2, name: null, amount: null },
      { contact_id: 3, name: '北京 😀', amount: '-999.99' },
      { contact_id: 4, name: 'x', amount: '0.00' },
    ]);
    expect(await ledgerOf()).toEqual([
      { sequence: 0, sha256: b.sha256, rows: 3 },
      { sequence: 1, sha256: expect.any(String), rows: 1 },
    ]);
  });

  it('imports once when the same batch is loaded concurrently', async () => {
    const b = batch(0, Array.from({ length: 2000 }, (_, i) => `${i}\tn${i}\t${i % 1000}.25`));
    const results = await Promise.all([loadBatch(b), loadBatch(b), loadBatch(b)]);
    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'duplicate', 'loaded']);
    expect((await rowsOf()).length).toBe(2000);
  });

  it('fails permanently on the same sequence with other bytes, leaving the first batch', async () => {
    await loadBatch(batch(0, ['1\ta\t1.00']));
    const error = await permanentFailure(loadBatch(batch(0, ['1\tb\t1.00'])));
    expect(error.code).toBe('BATCH_CONFLICT');
    expect(error.message).toContain(`Batch 0 of table "${table.name}"`);
    expect(await rowsOf()).toEqual([{ contact_id: 1, name: 'a', amount: '1.00' }]);
  });

  it('fails permanently on a checksum mismatch, loading nothing', async () => {
    const error = await permanentFailure(loadBatch(batch(0, ['1\ta\t1.00'], { sha256: sha('something else') })));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(await rowsOf()).toEqual([]);
    expect(await ledgerOf()).toEqual([]);
  });

  it('checks the checksum of a streamed batch before it commits', async () => {
    const data = copyText(['1\ta\t1.00', '2\tb\t2.00']);
    const error = await permanentFailure(
      loadBatch({ tenant, table, sequence: 0, sha256: sha('other'), data: Readable.from([data.subarray(0, 5), data.subarray(5)]) }),
    );
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(await rowsOf()).toEqual([]);
    expect(await ledgerOf()).toEqual([]);
    expect(await loadBatch({ tenant, table, sequence: 0, sha256: sha(data), data: Readable.from([data]) })).toEqual({
      status: 'loaded',
      rows: 2,
    });
  });

  it.each([
    ['a value of the wrong type', ['1\ta\t1.00', 'x\tb\t2.00'], /invalid input syntax for type integer: "x".*line 2, column contact_id/],
    ['a missing column', ['1\ta'], /missing data for column "amount"/],
    ['an extra column', ['1\ta\t1.00\tz'], /extra data after last expected column/],
    ['a number out of range', ['1\ta\t12345.00'], /numeric field overflow/],
    ['text too long', [`1\t${'y'.repeat(41)}\t1.00`], /value too long/],
    ['a NULL in a NOT NULL column', ['\\N\ta\t1.00'], /null value in column "contact_id"/],
    ['invalid UTF-8', [Buffer.from([0x31, 0x09, 0xc3, 0x28, 0x09, 0x31]).toString('latin1')], /invalid byte sequence|UTF8/],
    ['an end-of-data marker', ['1\ta\t1.00', '\\.', '2\tb\t2.00'], /3 lines but COPY loaded 1 rows/],
  ])('fails permanently on %s, leaving the table unchanged', async (_what, lines, message) => {
    await loadBatch(batch(0, ['100\tkept\t1.00']));
    const data = lines[0]!.startsWith('1\t\u00c3') ? Buffer.from(lines[0]! + '\n', 'latin1') : copyText(lines);
    const error = await permanentFailure(loadBatch({ tenant, table, sequence: 1, sha256: sha(data), data }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`Batch 1 of table "${table.name}"`);
    expect(await rowsOf()).toEqual([{ contact_id: 100, name: 'kept', amount: '1.00' }]);
    expect((await ledgerOf()).map((r) => r.sequence)).toEqual([0]);
  });

  it('fails permanently on a payload cut inside a row or with another row count or size than announced', async () => {
    const cut = Buffer.from('1\ta\t1.00\n2\tb');
    expect((await permanentFailure(loadBatch({ tenant, table, sequence: 0, sha256: sha(cut), data: cut }))).message).toMatch(
      /ends inside a row/,
    );
    expect((await permanentFailure(loadBatch(batch(0, ['1\ta\t1.00'], { rows: 2 })))).message).toMatch(/has 1 rows; the agent announced 2/);
    const longer = await permanentFailure(loadBatch(batch(0, ['1\ta\t1.00'], { bytes: 10 })));
    expect(longer).toMatchObject({ code: 'BATCH_INVALID', message: expect.stringMatching(/has 9 bytes of COPY text; the agent announced 10/) });
    const data = copyText(['1\ta\t1.00', '2\tb\t2.00']);
    const streamed = await permanentFailure(loadBatch({ ...batch(0, []), sha256: sha(data), data: Readable.from([data]), bytes: 9 }));
    expect(streamed).toMatchObject({ code: 'BATCH_INVALID', message: expect.stringMatching(/unpacks to more than the 9 bytes/) });
    expect(await rowsOf()).toEqual([]);
    expect(await ledgerOf()).toEqual([]);
  });

  it('leaves neither rows nor ledger row when the connection dies mid-COPY, and completes on the retry', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `${i}\tname ${i} ${'z'.repeat(20)}\t${i % 999}.${i % 100}`);
    const data = copyText(lines);
    const half = data.lastIndexOf(0x0a, data.length >> 1) + 1;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* stalling() {
      yield data.subarray(0, half);
      await gate; // the worker "dies" here, half way through the batch
      yield data.subarray(half);
    }
    const loading = loadBatch({ tenant, table, sequence: 7, sha256: sha(data), data: Readable.from(stalling()), rows: lines.length });
    const outcome = loading.then(
      () => null,
      (e: unknown) => e,
    );

    const pid = await eventually(
      async () => {
        const r = await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY %' AND pid <> pg_backend_pid()`,
        );
        return r.rows[0]?.pid;
      },
      { what: 'the COPY to show in pg_stat_activity', timeoutMs: 10_000, intervalMs: 10 },
    );
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    release();

    const error = await outcome;
    expect(error).not.toBeInstanceOf(UnrecoverableError);
    expect(classifyImportError(error)).toBe('transient'); // the queue retries it
    expect(await rowsOf()).toEqual([]);
    expect(await ledgerOf()).toEqual([]);

    expect(await loadBatch({ tenant, table, sequence: 7, sha256: sha(data), data, rows: lines.length })).toEqual({
      status: 'loaded',
      rows: 50_000,
    });
    const counts = await admin.query(
      `SELECT count(*)::int AS n, count(DISTINCT contact_id)::int AS d FROM crm7."${table.name.replace(/"/g, '""')}"`,
    );
    expect(counts.rows[0]).toEqual({ n: 50_000, d: 50_000 });
    expect(await ledgerOf()).toEqual([{ sequence: 7, sha256: sha(data), rows: 50_000 }]);
  });

  it('adds primary keys after the load, once, and names a table whose keys are not unique', async () => {
    await loadBatch(batch(0, ['1\ta\t1.00', '2\tb\t2.00']));
    const added = await tenant.addPrimaryKeys();
    expect(added).toContain(table.name);
    expect(await tenant.addPrimaryKeys()).toEqual([]);
    const keys = await admin.query(
      `SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'p' AND conrelid = $1::regclass`,
      [`crm7."${table.name.replace(/"/g, '""')}"`],
    );
    expect(keys.rows[0].n).toBe(1);

    const dupes: TableSchema = { ...CONTACT, name: 'duplicated keys' };
    await tenant.createTable(dupes);
    await loadBatch({ ...batch(0, ['1\ta\t1.00', '1\tb\t2.00']), table: dupes });
    const error = await permanentFailure(tenant.addPrimaryKeys());
    expect(error.message).toMatch(/primary key of table "duplicated keys".*could not create unique index/);
  });
});
