import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ticketDetailSchema, type MigrationPlan } from '@omt/contracts';
import { createTestDatabase, databaseUrl, queryDatabase, type TestDatabase } from '../../../../test/support/databases';
import { eventually } from '../../../../test/support/eventually';
import { createSampleDatabase } from '../../../agent/src/sample/sample-db';
import { PostgresSource } from '../../../agent/src/source/postgres-source';
import { startTestApi, type TestApi } from '../support/test-api';
import type { Credential } from '../support/auth-helpers';
import { seedUpload, services, ticketReaches, uploadingTicket } from '../pipeline/upload-seed';

/**
 * Retention against the real API and worker: a ticket run to completion by
 * the real workers loses its working copies (files on disk) once the grace
 * period has passed, while the tenant keeps every row; a ticket completed
 * with missing documents keeps them; stale partial files go; reading the
 * ticket page is audited once. Oracles: the file system and SQL.
 */
const GRACE_HOURS = 0.003; // 10.8 s
const SWEEP_SECONDS = 1;
const PLAN: MigrationPlan = {
  formatVersion: 1,
  users: [],
  migrator: { name: 'Mia Migrator', email: 'mia@partner.example', phone: '+47 22 33 44 55' },
  sendWelcomeEmails: false,
};

let api: TestApi;
let sales: Credential;
let ops: Credential & { cookie: string };
let sourceDb: TestDatabase;
let archive: string;
let source: PostgresSource;

beforeAll(async () => {
  api = await startTestApi('retention', {
    worker: true,
    env: { OMT_RETENTION_HOURS: String(GRACE_HOURS), OMT_RETENTION_SWEEP_SECONDS: String(SWEEP_SECONDS) },
  });
  sales = await api.createSalesKey();
  ops = await api.loginAs('ops');
  sourceDb = await createTestDatabase('retention_src');
  archive = await mkdtemp(path.join(os.tmpdir(), 'omt-retention-archive-'));
  await createSampleDatabase({ seed: 11, size: 'small', problems: [], target: sourceDb.url, archive });
  source = new PostgresSource(sourceDb.url, 'crm7');
}, 120_000);

afterAll(async () => {
  await source?.close();
  await api?.close();
  await sourceDb?.drop();
  if (archive) await rm(archive, { recursive: true, force: true });
}, 60_000);

const sql = (text: string, values: unknown[] = []) => queryDatabase(api.database.url, text, values);

/** Every file below `dir`, relative; none when it does not exist. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** A document upload as the tus store leaves it: the file and its metadata beside it. */
async function plantUpload(ticketId: string, bytes: Buffer, ageHours = 0): Promise<{ key: string; file: string }> {
  const uploadId = `${ticketId}.${randomBytes(16).toString('hex')}`;
  const folder = path.join(api.config.blobDir, 'tus');
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, uploadId);
  await writeFile(file, bytes);
  await writeFile(`${file}.json`, JSON.stringify({ id: uploadId, size: bytes.length + 100, offset: bytes.length }));
  if (ageHours > 0) {
    const then = new Date(Date.now() - ageHours * 3_600_000);
    await utimes(file, then, then);
    await utimes(`${file}.json`, then, then);
  }
  return { key: `tus/${uploadId}`, file };
}

it('deletes a completed ticket’s blobs after the grace period, keeps the tenant’s rows, and audits the purge', async () => {
  const { prisma, states, blobs } = services(api);

  // A ticket completed with missing documents first: by the time the other is purged, it is past its grace period too.
  const kept = await uploadingTicket(api, sales, 'test', PLAN);
  await blobs.put(`tickets/${kept}/tables/0000000000000000/1-000000000000.gz`, Buffer.from('kept for recovery'));
  const staleUpload = await plantUpload(kept, Buffer.from('half a document'), 48);
  for (const to of ['importing', 'verifying', 'configuring', 'completed_with_missing_documents'] as const) {
    await states.transition(kept, to, 'system', 'test');
  }

  // A real run: batches in the blob store, imported by the worker, verified, configured, completed.
  const id = await uploadingTicket(api, sales, 'test', PLAN);
  const { batches } = await seedUpload(api, source, id, { complete: true });
  expect(await ticketReaches(api, id, ['completed', 'failed', 'verification_failed'])).toBe('completed');
  const finished = await plantUpload(id, Buffer.from('a finished document'));
  await prisma.documentUpload.create({
    data: {
      ticketId: id,
      documentId: 1,
      relativePath: 'a/b.pdf',
      sha256: 'a'.repeat(64),
      bytes: 19n,
      blobKey: finished.key,
    },
  });

  // Still held: on disk, and the ticket page says until when.
  const ticketFolder = path.join(api.config.blobDir, 'tickets', id);
  expect((await filesUnder(ticketFolder)).length).toBe(batches.length);
  const held = ticketDetailSchema.parse(
    (await api.call('GET', `/api/tickets/${id}/detail`, { as: ops })).body,
  ).retention;
  expect(held).toMatchObject({ batchFiles: batches.length, uploadFiles: 1, uploadBytes: 19, purgedAt: null });
  expect(held.batchBytes).toBe(batches.reduce((sum, b) => sum + b.stored.length, 0));
  const completedAt = (
    await sql(`SELECT max(at) AS at FROM "AuditEvent" WHERE "ticketId" = $1 AND "toState" = 'completed'`, [id])
  )[0]!.at as Date;
  expect(Date.parse(held.purgeAt!)).toBe(completedAt.getTime() + GRACE_HOURS * 3_600_000);

  // After the grace period the sweep has deleted them.
  const purgedAt = await eventually(async () => (await prisma.ticket.findUniqueOrThrow({ where: { id } })).purgedAt, {
    what: 'the purge',
    timeoutMs: 90_000,
    intervalMs: 200,
  });
  expect(purgedAt.getTime()).toBeGreaterThanOrEqual(Date.parse(held.purgeAt!));
  expect(await filesUnder(ticketFolder)).toEqual([]);
  expect(await exists(finished.file)).toBe(false);
  expect(await exists(`${finished.file}.json`)).toBe(false);

  // The audit trail says what went; the tenant still holds every row (SQL against the tenant, not through omt).
  const purges = await sql(
    `SELECT actor, data FROM "AuditEvent" WHERE "ticketId" = $1 AND action = 'workingCopies.purged'`,
    [id],
  );
  expect(purges).toEqual([
    { actor: 'system', data: expect.objectContaining({ batchFiles: batches.length, uploadFiles: 1, uploadBytes: 19 }) },
  ]);
  const ticket = await prisma.ticket.findUniqueOrThrow({ where: { id }, include: { tenant: true } });
  const tenantRows = await queryDatabase(
    databaseUrl(ticket.tenant.databaseName),
    'SELECT count(*)::int AS n FROM crm7.person',
  );
  expect(tenantRows).toEqual(await queryDatabase(sourceDb.url, 'SELECT count(*)::int AS n FROM crm7.person'));
  expect(await prisma.batchUpload.count({ where: { ticketId: id } })).toBe(batches.length);

  // The page now says when they went.
  const after = ticketDetailSchema.parse(
    (await api.call('GET', `/api/tickets/${id}/detail`, { as: ops })).body,
  ).retention;
  expect(after).toEqual({
    batchFiles: 0,
    batchBytes: 0,
    uploadFiles: 0,
    uploadBytes: 0,
    purgeAt: null,
    purgedAt: purgedAt.toISOString(),
  });

  // The ticket completed with missing documents keeps its batch; only its abandoned half upload (48 h old) went.
  expect(await filesUnder(path.join(api.config.blobDir, 'tickets', kept))).toEqual([
    'tables/0000000000000000/1-000000000000.gz',
  ]);
  expect((await prisma.ticket.findUniqueOrThrow({ where: { id: kept } })).purgedAt).toBeNull();
  expect(await exists(staleUpload.file)).toBe(false);
  expect(await exists(`${staleUpload.file}.json`)).toBe(false);
  expect(
    await sql(`SELECT 1 FROM "AuditEvent" WHERE "ticketId" = $1 AND action = 'workingCopies.purged'`, [kept]),
  ).toEqual([]);
}, 240_000);

it('sweeps a .part file a killed write left a day ago, and leaves one being written now', async () => {
  const folder = path.join(api.config.blobDir, 'tickets', randomUUID(), 'tables', '0123456789abcdef');
  await mkdir(folder, { recursive: true });
  const stale = path.join(folder, '3-aaaaaaaaaaaa.gz.bbbbbbbbbbbb.part');
  const fresh = path.join(folder, '4-aaaaaaaaaaaa.gz.cccccccccccc.part');
  await writeFile(stale, 'half a batch');
  await writeFile(fresh, 'a batch being written');
  const dayAgo = new Date(Date.now() - 25 * 3_600_000);
  await utimes(stale, dayAgo, dayAgo);

  const gone = (file: string) =>
    eventually(async () => !(await exists(file)), {
      what: `${path.basename(file)} to go`,
      timeoutMs: 30_000,
      intervalMs: 200,
    });
  await gone(stale);
  // Several sweeps later the fresh one is still there: each stale file planted after the last went proves one more sweep.
  for (const sweep of [5, 6]) {
    const later = path.join(folder, `${sweep}-aaaaaaaaaaaa.gz.dddddddddddd.part`);
    await writeFile(later, 'another half batch');
    await utimes(later, dayAgo, dayAgo);
    await gone(later);
  }
  expect(await exists(fresh)).toBe(true);
}, 60_000);

it('records one ticket.detailViewed per user however often the page is read, and none for a ticket that does not exist', async () => {
  const { ticket } = await api.createTicket(sales);
  const overviewOf = async () => {
    const list = (await api.call('GET', `/api/tickets-overview?customerId=${ticket.customerId}`, { as: ops })).body as {
      items: { ticketId?: string; lastEvent: { action: string } | null; lastProgressAt: string | null }[];
    };
    return list.items.map(({ lastEvent, lastProgressAt }) => ({ lastEvent: lastEvent?.action, lastProgressAt }));
  };
  const overviewBefore = await overviewOf();
  expect(overviewBefore).toEqual([{ lastEvent: 'ticket.created', lastProgressAt: expect.any(String) }]);
  const views = () =>
    sql(`SELECT actor, data FROM "AuditEvent" WHERE "ticketId" = $1 AND action = 'ticket.detailViewed' ORDER BY id`, [
      ticket.id,
    ]);
  expect(await views()).toEqual([]);

  // Two reads at once and one after: one row (the advisory lock serialises the check).
  const answers = await Promise.all([0, 1].map(() => api.call('GET', `/api/tickets/${ticket.id}/detail`, { as: ops })));
  expect(answers.map((a) => a.status)).toEqual([200, 200]);
  expect((await api.call('GET', `/api/tickets/${ticket.id}/detail`, { as: ops })).status).toBe(200);
  const me = (await api.call('GET', '/api/auth/me', { as: ops })).body as { name: string };
  expect(await views()).toEqual([{ actor: `ops:${me.name}`, data: { kind: 'detail' } }]);

  // Another user's read is another row; the timeline lists it like any action.
  const admin = await api.loginAs('admin');
  expect((await api.call('GET', `/api/tickets/${ticket.id}/detail`, { as: admin })).status).toBe(200);
  expect((await views()).map((v) => (v.actor as string).split(':')[0])).toEqual(['ops', 'admin']);

  // A read is not progress: the list's last event and last progress stay what the migration did.
  expect(await overviewOf()).toEqual(overviewBefore);

  expect((await api.call('GET', `/api/tickets/${randomUUID()}/detail`, { as: ops })).status).toBe(404);
  expect(
    await sql(
      `SELECT count(*)::int AS n FROM "AuditEvent" WHERE action = 'ticket.detailViewed' AND "ticketId" IS NULL`,
    ),
  ).toEqual([{ n: 0 }]);
}, 60_000);
