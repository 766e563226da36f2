import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { io, type Socket } from 'socket.io-client';
import {
  opsServerEvents,
  ticketDetailSchema,
  type OpsEventPayload,
} from '@omt/contracts';
import { createTestDatabase, databaseUrl, queryDatabase, type TestDatabase } from '../../../../test/support/databases';
import { eventually } from '../../../../test/support/eventually';
import { createSampleDatabase } from '../../../agent/src/sample/sample-db';
import { sampleUsers } from '../../../agent/src/sample/sample-users';
import { PostgresSource } from '../../../agent/src/source/postgres-source';
import { startTestApi, type TestApi } from '../support/test-api';
import type { Credential } from '../support/auth-helpers';
import { batchesImported, completeUpload, samplePlan, seedUpload, services, ticketReaches, uploadingTicket } from './upload-seed';

/**
 * The worker's side of a migration with real parts: the small sample CRM
 * streamed by the agent's own source connector, gzipped batches in the blob
 * store, BullMQ jobs run by the real worker into a real tenant database,
 * verification, the plan applied, and the ticket completed. Results are
 * checked with SQL against the tenant, not through the code under test.
 */
const SAMPLE = { seed: 7, size: 'small', problems: ['duplicate-emails'] } as const;
const users = sampleUsers(SAMPLE);
const byLogin = (login: string) => users.find((u) => u.login === login)!;

let api: TestApi;
let sales: Credential;
let ops: Credential;
let sourceDb: TestDatabase;
let archive: string;
let source: PostgresSource;
const sockets: Socket[] = [];

beforeAll(async () => {
  api = await startTestApi('pipeline', { worker: true });
  sales = await api.createSalesKey();
  ops = await api.loginAs('ops');
  sourceDb = await createTestDatabase('pipeline_src');
  archive = await mkdtemp(path.join(os.tmpdir(), 'omt-pipeline-archive-'));
  await createSampleDatabase({ ...SAMPLE, problems: [...SAMPLE.problems], target: sourceDb.url, archive });
  source = new PostgresSource(sourceDb.url, 'crm7');
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await source?.close();
  await api?.close();
  await sourceDb?.drop();
  if (archive) await rm(archive, { recursive: true, force: true });
}, 60_000);

function swapFirstLines(text: Buffer): Buffer {
  const [first, second, ...rest] = text.toString('utf8').split('\n');
  return Buffer.from([second, first, ...rest].join('\n'), 'utf8');
}

async function tenantOf(ticketId: string): Promise<string> {
  const { prisma } = services(api);
  const ticket = await prisma.ticket.findUniqueOrThrow({ where: { id: ticketId }, include: { tenant: true } });
  return databaseUrl(ticket.tenant.databaseName);
}

const rowsAsText = (url: string, table: string) =>
  queryDatabase(url, `SELECT t::text AS r FROM crm7."${table.replace(/"/g, '""')}" t ORDER BY 1`).then((rows) => rows.map((x) => x.r));

function opsFeed(): { events: OpsEventPayload<'job.failed'>[]; ready: Promise<void> } {
  const socket = io(`${api.url}/ops`, { transports: ['websocket'], extraHeaders: { cookie: (ops as { cookie: string }).cookie }, reconnection: false });
  sockets.push(socket);
  const events: OpsEventPayload<'job.failed'>[] = [];
  socket.on('job.failed', (payload: unknown) => events.push(opsServerEvents['job.failed'].parse(payload)));
  return { events, ready: new Promise((resolve) => socket.once('connect', () => resolve())) };
}

it('imports every batch once, verifies, applies the plan and completes a test migration', async () => {
  const plan = samplePlan(users);
  const id = await uploadingTicket(api, sales, 'test', plan);
  const { tables, batches } = await seedUpload(api, source, id, { complete: true });
  expect(await ticketReaches(api, id, ['completed', 'failed', 'verification_failed'])).toBe('completed');

  const tenant = await tenantOf(id);
  // Every table the plan does not touch is equal, row for row, at the source and in the tenant.
  const touched = ['associate', 'Email', 'LicenseAssocLink', 'sequence'];
  for (const table of tables.filter((t) => !touched.includes(t.name))) {
    expect({ table: table.name, rows: await rowsAsText(tenant, table.name) }).toEqual({ table: table.name, rows: await rowsAsText(sourceDb.url, table.name) });
  }

  // User plans as licence links: one user-plan link each, the chosen one; other licences untouched.
  const links = await queryDatabase(
    tenant,
    `SELECT a.name AS login, m."moduleName" AS plan FROM crm7."LicenseAssocLink" l
       JOIN crm7."ModuleLicense" m ON m."ModuleLicense_id" = l."moduleLicenseId"
       JOIN crm7.associate a ON a.associate_id = l."assocId"
      WHERE m."extraFlags" = 1 ORDER BY 1, 2`,
  );
  const expectedLinks = users
    .filter((u) => !plan.users.some((p) => p.associateId === u.associateId) && u.plan)
    .map((u) => ({ login: u.login, plan: u.plan }))
    .concat(plan.users.filter((p) => p.plan).map((p) => ({ login: p.login, plan: p.plan })))
    .sort((a, b) => (a.login < b.login ? -1 : a.login > b.login ? 1 : 0));
  expect(links).toEqual(expectedLinks);
  expect(links.filter((l) => l.login === 'KY')).toEqual([]);
  expect(links.filter((l) => l.login === 'OP')).toEqual([{ login: 'OP', plan: 'ten-sales' }]);
  const kyOther = await queryDatabase(
    tenant,
    `SELECT m."moduleName" AS name FROM crm7."LicenseAssocLink" l JOIN crm7."ModuleLicense" m ON m."ModuleLicense_id" = l."moduleLicenseId"
      WHERE l."assocId" = $1 ORDER BY 1`,
    [byLogin('KY').associateId],
  );
  expect(kyOther.map((r) => r.name)).toEqual(['user', 'web']);
  // New link ids are unique (the key was added after the load) and `sequence` hands out ids past them.
  const [ids] = await queryDatabase(
    tenant,
    `SELECT max(l."LicenseAssocLink_id") AS max, (SELECT next_id FROM crm7.sequence WHERE "TableName" = 'LicenseAssocLink') AS next FROM crm7."LicenseAssocLink" l`,
  );
  expect(Number(ids!.next)).toBeGreaterThan(Number(ids!.max));

  // Login emails as usernames; KY (no plan) keeps none.
  const names = await queryDatabase(tenant, `SELECT name AS login, "userName" FROM crm7.associate WHERE "userName" IS NOT NULL ORDER BY 1`);
  expect(names).toEqual(
    plan.users.filter((p) => p.plan).map((p) => ({ login: p.login, userName: p.loginEmail })).sort((a, b) => (a.login < b.login ? -1 : 1)),
  );
  // JD's address is gone from MG's card (any case) and stays on JD's own.
  const jdAddress = byLogin('JD').emails[0]!;
  const holders = await queryDatabase(tenant, `SELECT person_id FROM crm7."Email" WHERE lower(email_address) = lower($1) ORDER BY 1`, [jdAddress]);
  expect(holders).toEqual([{ person_id: byLogin('JD').personId }]);
  const atSource = await queryDatabase(sourceDb.url, `SELECT person_id FROM crm7."Email" WHERE lower(email_address) = lower($1) ORDER BY 1`, [jdAddress]);
  expect(atSource).toEqual([{ person_id: byLogin('JD').personId }, { person_id: byLogin('MG').personId }]);

  // The tenant of a test migration is left in offline maintenance; the trail names the migrator.
  const { prisma } = services(api);
  const ticket = await prisma.ticket.findUniqueOrThrow({ where: { id }, include: { tenant: true } });
  expect(ticket.tenant.state).toBe('offline_maintenance');
  const trail = (await api.call('GET', `/api/tickets/${id}/events`, { as: ops })).body.items as { action: string; reason: string | null; to: string | null }[];
  expect(trail.find((e) => e.action === 'migrator.recorded')?.reason).toBe('Mia Migrator <mia@partner.example>, +47 22 33 44 55');
  expect(trail.filter((e) => e.action === 'ticket.stateChanged').map((e) => e.to)).toEqual(
    expect.arrayContaining(['importing', 'verifying', 'configuring', 'completed']),
  );

  // The ticket page: every table imported and verified, nothing failed, nothing left for the agent.
  const detail = await api.call('GET', `/api/tickets/${id}/detail`, { as: ops });
  expect(detail.status).toBe(200);
  const page = ticketDetailSchema.parse(detail.body);
  expect(page.tables).toHaveLength(tables.length);
  for (const table of page.tables) {
    expect(table).toMatchObject({ rowsImported: table.rowsReceived, batchesImported: table.batchesReceived, complete: true, verified: true, structureVerified: true, structureMessage: null });
    expect(table.rowsImported).toBe(table.expectedRows);
  }
  expect(page.plan).toEqual(plan);
  expect(page.failures).toEqual([]);
  expect(page.mode).toBe('done');

  // A batch job run again (a redelivery under another id) loads nothing twice.
  const again = batches.find((b) => b.table === 'person')!;
  const before = await queryDatabase(tenant, 'SELECT count(*)::int AS n FROM crm7.person');
  const row = await prisma.batchUpload.findUniqueOrThrow({ where: { ticketId_tableName_sequence: { ticketId: id, tableName: 'person', sequence: again.sequence } } });
  const { queues } = services(api);
  await queues.enqueue(
    'import.batchReceived',
    { ticketId: id, table: 'person', sequence: again.sequence, blobKey: again.blobKey, sha256: row.sha256, rows: row.rows, bytes: row.bytes },
    { jobId: `${again.jobId}-again` },
  );
  const job = (await queues.queue('omt-import').getJob(`${again.jobId}-again`))!;
  await eventually(async () => await job.getState(), { what: 'the job run again to finish', until: (state) => state === 'completed' || state === 'failed', timeoutMs: 15_000 });
  expect(await job.isCompleted()).toBe(true);
  expect(await queryDatabase(tenant, 'SELECT count(*)::int AS n FROM crm7.person')).toEqual(before);
}, 180_000);

it('fails verification naming the table whose row changed in the tenant', async () => {
  const id = await uploadingTicket(api, sales, 'test', samplePlan(users));
  await seedUpload(api, source, id, { complete: false });
  await batchesImported(api, id);
  const tenant = await tenantOf(id);
  await queryDatabase(tenant, `UPDATE crm7.contact SET name = name || ' (changed)' WHERE contact_id = 2`);
  await completeUpload(api, id);

  expect(await ticketReaches(api, id, ['verification_failed', 'configuring', 'completed', 'failed'])).toBe('verification_failed');
  const trail = (await api.call('GET', `/api/tickets/${id}/events`, { as: ops })).body.items as { to: string | null; reason: string | null }[];
  const reason = trail.find((e) => e.to === 'verification_failed')!.reason!;
  expect(reason).toMatch(/^Verification failed for table "contact": Table "contact" has the same number of rows \(\d+\) but different content/);
  const page = ticketDetailSchema.parse((await api.call('GET', `/api/tickets/${id}/detail`, { as: ops })).body);
  expect(page.tables.filter((t) => t.verified === false).map((t) => t.name)).toEqual(['contact']);
  expect(page.tables.find((t) => t.name === 'contact')!.verificationMessage).toMatch(/different content/);
  expect(page.tables.filter((t) => t.verified === true)).toHaveLength(page.tables.length - 1);
}, 180_000);

it('fails the ticket on a corrupt batch, lists the failure, and completes a live migration once ops retry after the blob is fixed', async () => {
  const feed = opsFeed();
  await feed.ready;
  const id = await uploadingTicket(api, sales, 'live', samplePlan(users));
  const { prisma, blobs } = services(api);
  await prisma.missingDocument.create({ data: { ticketId: id, documentId: 9, name: 'gone.pdf', relativePath: 'JD/2020.1/gone.pdf', reason: 'missing-file' } });
  const { batches } = await seedUpload(api, source, id, {
    complete: true,
    // Damaged after the API checked it in: still valid COPY text, but two rows swapped.
    storedAs: (b) => (b.table === 'person' && b.sequence === 1 ? gzipSync(swapFirstLines(gunzipSync(b.stored))) : b.stored),
  });
  const damaged = batches.find((b) => b.table === 'person' && b.sequence === 1)!;

  expect(await ticketReaches(api, id, ['failed', 'completed_with_missing_documents'])).toBe('failed');
  const trail = (await api.call('GET', `/api/tickets/${id}/events`, { as: ops })).body.items as { to: string | null; reason: string | null }[];
  expect(trail.find((e) => e.to === 'failed')!.reason).toMatch(/^import\.batchReceived failed: Batch 1 of table "person" is corrupt: its bytes hash to [0-9a-f]{64}, the agent sent [0-9a-f]{64}/);
  await eventually(() => feed.events.filter((e) => e.ticketId === id), { what: 'the final failure on the feed', until: (events) => events.some((e) => e.final), timeoutMs: 5_000 });
  expect(feed.events.filter((e) => e.ticketId === id)).toEqual([
    expect.objectContaining({ ticketId: id, queue: 'omt-import', jobId: damaged.jobId, jobName: 'import.batchReceived', final: true, attemptsMade: 1 }),
  ]);

  const page = ticketDetailSchema.parse((await api.call('GET', `/api/tickets/${id}/detail`, { as: ops })).body);
  expect(page.failures).toEqual([
    expect.objectContaining({ queue: 'omt-import', jobId: damaged.jobId, jobName: 'import.batchReceived', attemptsMade: 1, error: expect.stringMatching(/is corrupt/) }),
  ]);
  expect(page.documents.missing).toEqual([{ documentId: 9, name: 'gone.pdf', relativePath: 'JD/2020.1/gone.pdf', reason: 'missing-file' }]);
  expect(page.tables.find((t) => t.name === 'person')).toMatchObject({ batchesImported: page.tables.find((t) => t.name === 'person')!.batchesReceived - 1 });

  // Only ops and admins retry, and only a failed job of this very ticket.
  const created = await api.createTicket(sales);
  const agent = await api.enroll(created.enrollmentCode);
  const retryPath = `/api/tickets/${id}/failures/${damaged.jobId}/retry`;
  expect((await api.call('POST', retryPath, {})).status).toBe(401);
  expect((await api.call('POST', retryPath, { as: sales })).status).toBe(403);
  expect((await api.call('POST', retryPath, { as: agent })).status).toBe(403);
  const elsewhere = await api.call('POST', `/api/tickets/${created.ticket.id}/failures/${damaged.jobId}/retry`, { as: ops });
  expect({ status: elsewhere.status, code: elsewhere.body.code }).toEqual({ status: 404, code: 'NOT_FOUND' });

  await blobs.put(damaged.blobKey, damaged.stored);
  const retried = await api.call('POST', retryPath, { as: ops, body: { reason: 'blob restored' } });
  expect(retried.status).toBe(200);
  expect(retried.body.state).toBe('importing');

  expect(await ticketReaches(api, id, ['failed', 'completed', 'completed_with_missing_documents'])).toBe('completed_with_missing_documents');
  const ticket = await prisma.ticket.findUniqueOrThrow({ where: { id }, include: { tenant: true } });
  expect(ticket.tenant.state).toBe('running');
  const tenant = await tenantOf(id);
  expect(await rowsAsText(tenant, 'person')).toEqual(await rowsAsText(sourceDb.url, 'person'));
  const after = ticketDetailSchema.parse((await api.call('GET', `/api/tickets/${id}/detail`, { as: ops })).body);
  expect(after.failures).toEqual([]);
  expect(after.mode).toBe('recovery');
  const events = (await api.call('GET', `/api/tickets/${id}/events`, { as: ops })).body.items as { action: string; actor: string; reason: string | null }[];
  expect(events.find((e) => e.action === 'job.retried')).toMatchObject({ actor: expect.stringMatching(/^ops:/), reason: `retrying import.batchReceived (job ${damaged.jobId}): blob restored` });
}, 180_000);

it('fails the ticket with a clear message when the tenant has no CRM user tables, and a retried configuration fails the same way', async () => {
  const plain = await createTestDatabase('pipeline_plain');
  try {
    await queryDatabase(plain.url, `CREATE SCHEMA crm7; CREATE TABLE crm7.widget (id int PRIMARY KEY, v text); INSERT INTO crm7.widget VALUES (1, 'a'), (2, NULL)`);
    const widgets = new PostgresSource(plain.url, 'crm7');
    const id = await uploadingTicket(api, sales, 'test', { ...samplePlan(users), users: [] });
    try {
      await seedUpload(api, widgets, id, { complete: true });
    } finally {
      await widgets.close();
    }
    expect(await ticketReaches(api, id, ['failed', 'completed'])).toBe('failed');
    const reasonOfFailure = async () =>
      ((await api.call('GET', `/api/tickets/${id}/events`, { as: ops })).body.items as { to: string | null; reason: string | null }[])
        .filter((e) => e.to === 'failed')
        .map((e) => e.reason);
    expect(await reasonOfFailure()).toEqual([
      expect.stringMatching(/^configure\.ticketVerified failed: The migration plan cannot be applied: the tenant has no table "associate", table "Email", table "ModuleLicense", table "LicenseAssocLink"/),
    ]);

    const page = ticketDetailSchema.parse((await api.call('GET', `/api/tickets/${id}/detail`, { as: ops })).body);
    const failure = page.failures[0]!;
    expect(failure).toMatchObject({ queue: 'omt-configure', jobName: 'configure.ticketVerified' });
    const retried = await api.call('POST', `/api/tickets/${id}/failures/${failure.jobId}/retry`, { as: ops });
    expect({ status: retried.status, state: retried.body.state }).toEqual({ status: 200, state: 'configuring' });
    expect(await ticketReaches(api, id, ['failed', 'completed'])).toBe('failed');
    expect(await reasonOfFailure()).toHaveLength(2);
  } finally {
    await plain.drop();
  }
}, 120_000);
