import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { UnrecoverableError } from 'bullmq';
import type { TableSchema } from '@omt/contracts';
import { PG_ADMIN_URL, dropDatabase, uniqueName } from '../../../../test/support/databases';
import { JOB_PROCESSOR } from '../../src/queues/job-handler';
import { DirectoryBlobStore } from '../../src/imports/blob-store';
import { BatchReceivedProcessor, TableCreatedProcessor } from '../../src/imports/import-processors';
import { TenantDatabases } from '../../src/imports/tenant-databases.service';
import { tenantDatabaseUrl } from '../../src/imports/tenant-database';

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
  tenants = new TenantDatabases({ tenantAdminUrl: PG_ADMIN_URL, tenantDatabaseName: () => database, tenantSchema: 'crm7' });
});

afterAll(async () => {
  await admin?.end();
  await tenants?.onModuleDestroy();
  await dropDatabase(database);
  await rm(blobDir, { recursive: true, force: true });
});

async function sent(sequence: number, body: string) {
  const data = Buffer.from(body);
  const blobKey = `tickets/t1/tables/person/${sequence}`;
  await blobs.put(blobKey, data);
  return {
    ticketId: 't1',
    table: 'person',
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

it('creates the tenant and table, loads batches from the blob store once, and tells transient from permanent', async () => {
  const batches = new BatchReceivedProcessor(tenants, blobs);
  const first = await sent(0, '1\tÅsa\n2\t\\N\n');

  // A batch that overtook its table: retried later, not failed for good.
  const early = await batches.handle(first).catch((e: unknown) => e);
  expect(early).toBeInstanceOf(Error);
  expect(early).not.toBeInstanceOf(UnrecoverableError);

  await new TableCreatedProcessor(tenants).handle({ ticketId: 't1', table: TABLE });
  await new TableCreatedProcessor(tenants).handle({ ticketId: 't1', table: TABLE });
  await batches.handle(first);
  await batches.handle(first);

  const corrupt = { ...(await sent(1, '3\tx\n')), sha256: '0'.repeat(64) };
  await expect(batches.handle(corrupt)).rejects.toBeInstanceOf(UnrecoverableError);

  admin = new Client({ connectionString: tenantDatabaseUrl(PG_ADMIN_URL, database) });
  await admin.connect();
  const rows = await admin.query('SELECT person_id, firstname FROM crm7.person ORDER BY 1');
  expect(rows.rows).toEqual([
    { person_id: 1, firstname: 'Åsa' },
    { person_id: 2, firstname: null },
  ]);
});
