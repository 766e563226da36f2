import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { digestCopyText } from '@omt/copy-text';
import { Worker } from 'bullmq';
import { QUEUES, agentSessionSchema, type MigrationState } from '@omt/contracts';
import { databaseUrl, queryDatabase } from '../../../../test/support/databases';
import { QueuesService } from '../../src/queues/queues.service';
import { batchesImported, ticketReaches } from '../pipeline/upload-seed';
import { ticketRequest, type Credential } from '../support/auth-helpers';
import { startTestApi, type TestApi } from '../support/test-api';
import { copyText, putBatch, startedUpload, tablePath } from '../uploads/upload-fixtures';

/**
 * A test migration run through the agent endpoints with the real worker,
 * reset by ops, then run again: the reset leaves nothing of the first run
 * (ledgers, run fields, jobs, blobs, tus uploads, tenant tables and
 * archive), and the same batches sent again are imported again.
 */
const SETTLED: MigrationState[] = ['completed', 'completed_with_missing_documents', 'verification_failed', 'failed'];
const BATCHES = [copyText(0, 2), copyText(2, 3)];

let api: TestApi;
let sales: Credential;
let ops: Credential;
let archiveDir: string;

beforeAll(async () => {
  archiveDir = await mkdtemp(path.join(os.tmpdir(), 'omt-reset-archive-'));
  api = await startTestApi('ticket-reset', { worker: true, env: { OMT_TENANT_ARCHIVE_DIR: archiveDir } });
  sales = await api.createSalesKey();
  ops = await api.loginAs('ops');
}, 60_000);

afterAll(async () => {
  await api?.close();
  if (archiveDir) await rm(archiveDir, { recursive: true, force: true });
}, 60_000);

/** One run as the agent makes it: checks, plan, upload start, schema, both batches, the table's figures, complete. */
async function uploadRun(agent: Credential): Promise<void> {
  await startedUpload(api, agent, { contact: 3 });
  for (const [sequence, text] of BATCHES.entries()) {
    expect((await putBatch(api, agent, 'contact', sequence, text)).body).toMatchObject({ status: 'stored' });
  }
  const figures = digestCopyText(Buffer.concat(BATCHES));
  const complete = await api.call('POST', tablePath('contact', '/complete'), {
    as: agent,
    body: { batches: 2, ...figures },
  });
  expect(complete.status).toBe(200);
  expect((await api.call('POST', '/api/agent/upload/complete', { as: agent })).status).toBe(200);
}

async function jobsOf(ticketId: string): Promise<string[]> {
  const queues = api.context.get(QueuesService, { strict: false }).all();
  const jobs = (await Promise.all(queues.map((queue) => queue.getJobs()))).flat();
  return jobs.filter((job) => (job?.data as { ticketId?: string }).ticketId === ticketId).map((job) => String(job.id));
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

const tenantRows = (database: string) =>
  queryDatabase(databaseUrl(database), `SELECT count(*)::int AS n FROM "${api.config.tenantSchema}".contact`).then(
    (rows) => rows[0]!.n,
  );
/** The customer's tables in a tenant database (omt's own bookkeeping schema aside). */
const tenantTables = async (database: string) =>
  (
    await queryDatabase(
      databaseUrl(database),
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [api.config.tenantSchema],
    )
  ).map((row) => row.table_name);
const databaseExists = async (database: string) =>
  (await queryDatabase(api.database.url, 'SELECT 1 FROM pg_database WHERE datname = $1', [database])).length === 1;

it('wipes everything of the last run, and the same batches are imported again by the next one', async () => {
  const created = await api.createTicket(sales);
  const ticketId = created.ticket.id;
  const tenant = created.ticket.tenant.databaseName;
  const first = await api.enroll(created.enrollmentCode);
  await uploadRun(first);
  await batchesImported(api, ticketId);
  await ticketReaches(api, ticketId, SETTLED);
  expect(await tenantRows(tenant)).toBe(3);
  // What documents leave (the tus upload files, the tenant's archive), put in place the way they lie on disk.
  await writeFile(path.join(api.config.blobDir, 'tus', `${ticketId}.0123abcd`), 'document bytes').catch(async () => {
    await mkdir(path.join(api.config.blobDir, 'tus'), { recursive: true });
    await writeFile(path.join(api.config.blobDir, 'tus', `${ticketId}.0123abcd`), 'document bytes');
  });
  await writeFile(path.join(api.config.blobDir, 'tus', `${ticketId}.0123abcd.json`), '{}');
  await writeFile(path.join(api.config.blobDir, 'tus', 'someone-else.0123abcd'), 'another ticket');
  await mkdir(path.join(archiveDir, tenant, 'SO_ARC'), { recursive: true });
  await writeFile(path.join(archiveDir, tenant, 'SO_ARC', 'offer.docx'), 'placed document');
  expect(await jobsOf(ticketId)).not.toEqual([]);
  expect((await filesUnder(api.config.blobDir)).filter((f) => f.includes(ticketId)).length).toBeGreaterThanOrEqual(4);

  const reset = await api.call('POST', `/api/tickets/${ticketId}/reset`, { as: ops, body: { reason: 'run it again' } });
  expect(reset.status).toBe(200);
  expect(reset.body.ticket.state).toBe('created');

  expect(await databaseExists(tenant)).toBe(true);
  expect(await tenantTables(tenant)).toEqual([]);
  expect(await jobsOf(ticketId)).toEqual([]);
  expect(await filesUnder(api.config.blobDir)).toEqual([path.join('tus', 'someone-else.0123abcd')]);
  expect(await filesUnder(path.join(archiveDir, tenant))).toEqual([]);
  const [fields] = await queryDatabase(
    api.database.url,
    `SELECT "checksReport", plan, "batchLimits", "expectedDocuments", "expectedDocumentBytes"::int AS bytes,
            "uploadStartedAt", "uploadCompletedAt", "lastActivityAt",
            (SELECT count(*)::int FROM "TableUpload" WHERE "ticketId" = t.id) AS tables,
            (SELECT count(*)::int FROM "BatchUpload" WHERE "ticketId" = t.id) AS batches,
            (SELECT count(*)::int FROM "DocumentUpload" WHERE "ticketId" = t.id) AS documents,
            (SELECT count(*)::int FROM "MissingDocument" WHERE "ticketId" = t.id) AS missing
     FROM "Ticket" t WHERE id = $1`,
    [ticketId],
  );
  expect(fields).toEqual({
    checksReport: null,
    plan: null,
    batchLimits: null,
    expectedDocuments: 0,
    bytes: 0,
    uploadStartedAt: null,
    uploadCompletedAt: null,
    lastActivityAt: null,
    tables: 0,
    batches: 0,
    documents: 0,
    missing: 0,
  });

  const second = await api.enroll(reset.body.enrollmentCode as string);
  const session = agentSessionSchema.parse((await api.call('GET', '/api/agent/session', { as: second })).body);
  expect(session).toMatchObject({
    ticket: { state: 'enrolled' },
    mode: 'initial',
    manifest: { limits: null, tables: [], documents: [], missingDocuments: [], uploadComplete: false },
  });
  await uploadRun(second);
  await batchesImported(api, ticketId);
  await ticketReaches(api, ticketId, SETTLED);
  expect(await tenantRows(tenant)).toBe(3);
}, 180_000);

it('refuses a reset while a job of the ticket runs, and removes nothing', async () => {
  // An API without a worker of its own: the job is held by a BullMQ worker of this test.
  const idle = await startTestApi('ticket-reset-held');
  const holder = new Worker(QUEUES.verify, null, {
    connection: { url: idle.config.redisUrl },
    prefix: idle.config.redisPrefix,
    autorun: false,
  });
  try {
    const admin = await idle.loginAs('ops');
    const created = await idle.createTicket(await idle.createSalesKey());
    const ticketId = created.ticket.id;
    await idle.enroll(created.enrollmentCode);
    const queues = idle.context.get(QueuesService, { strict: false });
    const jobId = `verify-${ticketId}-held`;
    await queues.enqueue('verify.ticketUploaded', { ticketId }, { jobId });
    const held = await holder.getNextJob('test-lock');
    expect(held?.id).toBe(jobId);

    const refused = await idle.call('POST', `/api/tickets/${ticketId}/reset`, { as: admin, body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(jobId);
    expect(await queues.queue(QUEUES.verify).getJobState(jobId)).toBe('active');
    expect((await idle.call('GET', `/api/tickets/${ticketId}`, { as: admin })).body.state).toBe('enrolled');

    await held!.moveToCompleted('done', 'test-lock', false);
    expect((await idle.call('POST', `/api/tickets/${ticketId}/reset`, { as: admin, body: {} })).status).toBe(200);
    expect(await queues.queue(QUEUES.verify).getJob(jobId)).toBeUndefined();
  } finally {
    await holder.close();
    await idle.close();
  }
}, 60_000);

it('starts a new ticket of the same customer from an empty tenant; a refused ticket wipes nothing', async () => {
  const first = await api.createTicket(sales);
  const { customerId } = first.ticket;
  const tenant = first.ticket.tenant.databaseName;
  await uploadRun(await api.enroll(first.enrollmentCode));
  await batchesImported(api, first.ticket.id);
  // These batches carry no CRM tables, so the configuration fails the ticket; cancelled, it no longer counts as open.
  await ticketReaches(api, first.ticket.id, ['failed']);
  expect((await api.call('POST', `/api/tickets/${first.ticket.id}/cancel`, { as: ops, body: {} })).status).toBe(200);
  expect(await tenantRows(tenant)).toBe(3);
  await mkdir(path.join(archiveDir, tenant, 'SO_ARC'), { recursive: true });
  await writeFile(path.join(archiveDir, tenant, 'SO_ARC', 'offer.docx'), 'placed document');

  const second = await api.createTicket(sales, { customerId });
  expect(second.ticket.tenant.databaseName).toBe(tenant);
  expect(second.ticket.tenant.state).toBe('migration_pending');
  expect(await tenantTables(tenant)).toEqual([]);
  expect(await filesUnder(path.join(archiveDir, tenant))).toEqual([]);

  await uploadRun(await api.enroll(second.enrollmentCode));
  await batchesImported(api, second.ticket.id);
  expect(await tenantRows(tenant)).toBe(3);
  // While the second ticket is open a third is refused, and its tenant is left alone.
  const refused = await api.call('POST', '/api/tickets', { as: sales, body: { ...ticketRequest(), customerId } });
  expect(refused.status).toBe(409);
  expect(await tenantRows(tenant)).toBe(3);
  await ticketReaches(api, second.ticket.id, SETTLED);
}, 180_000);
