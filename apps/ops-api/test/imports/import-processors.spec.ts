import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { UnrecoverableError } from 'bullmq';
import type { TableSchema } from '@omt/contracts';
import { PG_ADMIN_URL, dropDatabase, uniqueName } from '../../../../test/support/databases';
import { JOB_PROCESSOR } from '../../src/queues/job-handler';
import { DirectoryBlobStore } from '../../src/storage/blob-store';
import { batchBlobKey, batchPartsKey } from '../../src/uploads/upload-keys';
import { batchPartKey } from '../../src/storage/blob-store-keys';
import { BatchReceivedProcessor, TableCreatedProcessor } from '../../src/table-import/import-processors';
import { PermanentImportError } from '../../src/queues/job-errors';
import type { BatchImports } from '../../src/ledger/batch-imports';
import { TenantDatabases } from '../../src/tenants/tenant-databases.service';
import { tenantDatabaseUrl } from '../../src/tenants/tenant-database';

const BLOB_TICKET = '00000000-0000-4000-8000-000000000001';

const TABLE: TableSchema = {
  name: 'person',
  columns: [
    { name: 'person_id', type: { kind: 'int32' }, nullable: false },
    { name: 'firstname', type: { kind: 'text', maxLength: null }, nullable: true },
  ],
  primaryKey: ['person_id'],
};

let database: string;
let blobDir: string;
let tenants: TenantDatabases;
let blobs: DirectoryBlobStore;
let admin: Client;

beforeAll(async () => {
  database = uniqueName('imports_jobs');
  blobDir = await mkdtemp(path.join(os.tmpdir(), 'omt-imports-jobs-'));
  blobs = new DirectoryBlobStore(blobDir);
  tenants = new TenantDatabases({
    tenantAdminUrl: PG_ADMIN_URL,
    tenantDatabaseName: () => database,
    tenantSchema: 'crm7',
  });
});

afterAll(async () => {
  await admin?.end();
  await tenants?.onModuleDestroy();
  await dropDatabase(database);
  await rm(blobDir, { recursive: true, force: true });
});

/** As the API stores a batch: the gzip of the COPY text, the sha256 of the text itself. */
async function sent(sequence: number, body: string, stored = gzipSync(body), table = 'person') {
  const data = Buffer.from(body);
  // Blob keys follow the store's grammar (a ticket uuid); the processor reads the key it is given.
  const blobKey = batchBlobKey(BLOB_TICKET, table, sequence);
  await blobs.put(blobKey, stored);
  return {
    ticketId: 't1',
    table,
    sequence,
    blobKey,
    sha256: createHash('sha256').update(data).digest('hex'),
    rows: body.split('\n').length - 1,
    bytes: data.length,
  };
}

it('registers one processor per import job name', () => {
  expect(Reflect.getMetadata(JOB_PROCESSOR, TableCreatedProcessor)).toBe('import.tableCreated');
  expect(Reflect.getMetadata(JOB_PROCESSOR, BatchReceivedProcessor)).toBe('import.batchReceived');
});

/** What follows an import (the upload ledger, progress, verification) is the pipeline tests' subject; here: when it is called. */
const imported: string[] = [];
const followUp = {
  imported: async (ticketId: string, table: string, sequence: number) =>
    void imported.push(`${ticketId}/${table}/${sequence}`),
};

async function permanent(promise: Promise<unknown>): Promise<PermanentImportError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnrecoverableError);
  return error as PermanentImportError;
}

it('creates the tenant and table, loads gzipped batches from the blob store once, and tells transient from permanent', async () => {
  const batches = new BatchReceivedProcessor(tenants, blobs, followUp as unknown as BatchImports);
  const first = await sent(0, '1\tÅsa\n2\t\\N\n');

  // A batch that overtook its table, whose schema is not stored either: retried later, not failed for good.
  const early = await batches.handle(first).catch((e: unknown) => e);
  expect(early).toBeInstanceOf(Error);
  expect(early).not.toBeInstanceOf(UnrecoverableError);

  await new TableCreatedProcessor(tenants).handle({ ticketId: 't1', table: TABLE });
  await new TableCreatedProcessor(tenants).handle({ ticketId: 't1', table: TABLE });
  await batches.handle(first);
  await batches.handle(first);

  // Both imports of batch 0 are followed up (idempotent there too); no failed one is.
  expect(imported).toEqual(['t1/person/0', 't1/person/0']);

  const tampered = { ...(await sent(1, '3\tx\n')), sha256: '0'.repeat(64) };
  expect((await permanent(batches.handle(tampered))).code).toBe('CHECKSUM_MISMATCH');
  const notGzip = await sent(2, '4\ty\n', Buffer.from('4\ty\n'));
  const damaged = await permanent(batches.handle(notGzip));
  expect(damaged.code).toBe('CHECKSUM_MISMATCH');
  expect(damaged.message).toMatch(/Batch 2 of table "person" is corrupt: it is not a whole gzip stream/);
  const truncated = await sent(3, '5\tz\n', gzipSync('5\tz\n').subarray(0, 12));
  expect((await permanent(batches.handle(truncated))).code).toBe('CHECKSUM_MISMATCH');
  // A gzip bomb: 16 MiB of empty lines announced as 12 bytes; unpacking stops there.
  const bomb = Buffer.alloc(16 * 1024 * 1024, 0x0a);
  const exploding = { ...(await sent(5, '7\tv\n', gzipSync(bomb, { level: 9 }))), bytes: 12 };
  const refused = await permanent(batches.handle(exploding));
  expect(refused.code).toBe('BATCH_INVALID');
  expect(refused.message).toMatch(/Batch 5 of table "person" unpacks to more than the 12 bytes the agent announced/);
  const lost = { ...(await sent(4, '6\tw\n')), blobKey: batchBlobKey(BLOB_TICKET, 'person', 404) };
  expect((await permanent(batches.handle(lost))).code).toBe('NOT_FOUND');
  expect(imported).toHaveLength(2);

  admin = new Client({ connectionString: tenantDatabaseUrl(PG_ADMIN_URL, database) });
  await admin.connect();
  const rows = await admin.query('SELECT person_id, firstname FROM crm7.person ORDER BY 1');
  expect(rows.rows).toEqual([
    { person_id: 1, firstname: 'Åsa' },
    { person_id: 2, firstname: null },
  ]);
});

it('creates the table from the stored schema when a batch overtakes its table job, once however many batches do', async () => {
  const early: TableSchema = { ...TABLE, name: 'person_early' };
  const stored = new Map([['t1/person_early', early]]);
  const batches = new BatchReceivedProcessor(tenants, blobs, followUp as unknown as BatchImports, {
    storedTableSchema: async (ticketId, table) => stored.get(`${ticketId}/${table}`) ?? null,
  });
  const payloads = [
    await sent(0, '10\tEarly\n', undefined, 'person_early'),
    await sent(1, '11\tBird\n', undefined, 'person_early'),
  ];
  // Both batches at once, no tableCreated job at all: each finds or makes the table under the DDL lock.
  await Promise.all(payloads.map((payload) => batches.handle(payload)));
  // The table job arriving late finds it made with the same definition: a no-op.
  await new TableCreatedProcessor(tenants).handle({ ticketId: 't1', table: early });

  const reader = new Client({ connectionString: tenantDatabaseUrl(PG_ADMIN_URL, database) });
  await reader.connect();
  try {
    const rows = await reader.query('SELECT person_id, firstname FROM crm7.person_early ORDER BY 1');
    expect(rows.rows).toEqual([
      { person_id: 10, firstname: 'Early' },
      { person_id: 11, firstname: 'Bird' },
    ]);
  } finally {
    await reader.end();
  }
});

/** As the API stores a batch sent in parts: its gzip cut into slices under the batch's parts folder. */
async function sentInParts(sequence: number, body: Buffer, partBytes: number) {
  const gzip = gzipSync(body, { level: 1 });
  const folder = batchPartsKey(BLOB_TICKET, 'person', sequence);
  let parts = 0;
  for (let at = 0; at < gzip.length; at += partBytes) await blobs.put(batchPartKey(folder, parts++), gzip.subarray(at, at + partBytes));
  return {
    ticketId: 't1',
    table: 'person',
    sequence,
    blobKey: folder,
    parts,
    sha256: createHash('sha256').update(body).digest('hex'),
    rows: body.toString('utf8').split('\n').length - 1,
    bytes: body.length,
  };
}

it('streams a batch sent in parts, in order, through gunzip into COPY, checking the whole batch before COMMIT', async () => {
  const batches = new BatchReceivedProcessor(tenants, blobs, followUp as unknown as BatchImports);
  await new TableCreatedProcessor(tenants).handle({ ticketId: 't1', table: TABLE });
  // One row of 3 MB of varied text, in parts of 64 KiB.
  const value = Array.from({ length: 100_000 }, (_, i) => createHash('md5').update(String(i)).digest('hex').slice(0, 30)).join('');
  const body = Buffer.from(`900\t${value}\n`);
  const job = await sentInParts(20, body, 64 * 1024);
  expect(job.parts).toBeGreaterThan(3);
  await batches.handle(job);
  admin ??= new Client({ connectionString: tenantDatabaseUrl(PG_ADMIN_URL, database) });
  await admin.connect().catch(() => undefined);
  const [row] = (await admin.query("SELECT md5(firstname) AS md5 FROM crm7.person WHERE person_id = 900")).rows;
  expect(row).toEqual({ md5: createHash('md5').update(value).digest('hex') });

  // The whole batch's figures are checked across the parts: another sha256, or a part gone, loads nothing.
  const other = await sentInParts(21, Buffer.from(`901\t${value}\n`), 64 * 1024);
  expect((await permanent(batches.handle({ ...other, sha256: '0'.repeat(64) }))).code).toBe('CHECKSUM_MISMATCH');
  const gap = await sentInParts(22, Buffer.from(`902\t${value}\n`), 64 * 1024);
  await blobs.delete(batchPartKey(gap.blobKey, 2));
  const lost = await permanent(batches.handle(gap));
  expect(lost.code).toBe('NOT_FOUND');
  expect(lost.message).toMatch(/Part 2 of batch 22 of table "person" is missing/);
  const count = await admin.query('SELECT count(*)::int AS n FROM crm7.person WHERE person_id > 900');
  expect(count.rows[0]).toEqual({ n: 0 });
});
