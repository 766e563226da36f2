import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Upload } from 'tus-js-client';
import { READ_AUDIT_ACTIONS, type MigrationState, type MissingDocument, type TicketDetail } from '@omt/contracts';
import { queryDatabase } from '../../../../test/support/databases';
import { eventually } from '../../../../test/support/eventually';
import { PrismaService } from '../../src/prisma/prisma.service';
import { TicketStateService } from '../../src/ticket-state/ticket-state.service';
import { validPlan } from '../uploads/upload-fixtures';
import type { Credential } from '../support/auth-helpers';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * Recovery of missing documents on the API and worker: a ticket that
 * completed with missing documents takes documents again (`recovering`),
 * the worker verifies the documents only and ends the ticket without
 * touching the plan or the tenant's state; names are data, NUL included.
 */
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let api: TestApi;
let archives: string;
let ops: Credential;

beforeAll(async () => {
  archives = path.join(await mkdtemp(path.join(os.tmpdir(), 'omt-recovery-')), 'archives');
  api = await startTestApi('recovery', { worker: true, env: { OMT_TENANT_ARCHIVE_DIR: archives } });
  ops = await api.loginAs('ops');
});

afterAll(async () => {
  await api?.close();
  await rm(path.dirname(archives), { recursive: true, force: true });
});

const PATH_TO_COMPLETION: MigrationState[] = [
  'ready',
  'uploading',
  'importing',
  'verifying',
  'configuring',
  'completed_with_missing_documents',
];

interface Completed {
  ticketId: string;
  agent: Credential & { bearer: string };
  tenantDatabase: string;
}

/** A ticket as the first run left it: completed with these documents missing, its plan applied, the tenant offline. */
async function completedWithMissing(missing: MissingDocument[]): Promise<Completed> {
  const created = await api.createTicket(await api.createSalesKey());
  const agent = await api.enroll(created.enrollmentCode);
  const ticketId = created.ticket.id;
  const prisma = api.context.get(PrismaService, { strict: false });
  await prisma.ticket.update({
    where: { id: ticketId },
    data: { plan: validPlan().plan, uploadStartedAt: new Date() },
  });
  const states = api.context.get(TicketStateService, { strict: false });
  for (const state of PATH_TO_COMPLETION) await states.transition(ticketId, state, 'system', 'first run (test)');
  await prisma.missingDocument.createMany({ data: missing.map((m) => ({ ticketId, ...m })) });
  return { ticketId, agent, tenantDatabase: created.ticket.tenant.databaseName };
}

function tusUpload(agent: Credential & { bearer: string }, documentId: number, relativePath: string, data: Buffer) {
  return new Promise<void>((resolve, reject) => {
    new Upload(data, {
      endpoint: `${api.url}/api/agent/documents`,
      headers: { authorization: `Bearer ${agent.bearer}` },
      metadata: { documentId: String(documentId), relativePath, sha256: sha256(data), bytes: String(data.length) },
      onSuccess: () => resolve(),
      onError: reject,
    }).start();
  });
}

async function startRecovery(ticket: Completed, documents: { count: number; bytes: number }): Promise<void> {
  const started = await api.call('POST', '/api/agent/upload', {
    as: ticket.agent,
    body: { limits: { maxRows: 1000, maxBytes: 1024 * 1024 }, tables: [], documents },
  });
  expect(started.status).toBe(200);
  expect((await api.call('GET', '/api/agent/session', { as: ticket.agent })).body).toMatchObject({
    ticket: { state: 'recovering' },
    mode: 'recovery',
  });
}

async function finishRecovery(ticket: Completed, missing: MissingDocument[]): Promise<MigrationState> {
  const put = await api.call('PUT', '/api/agent/documents/missing', { as: ticket.agent, body: { documents: missing } });
  expect(put.status).toBe(204);
  expect((await api.call('POST', '/api/agent/upload/complete', { as: ticket.agent })).status).toBe(200);
  return eventually(
    async () => {
      const answer = await api.call('GET', '/api/agent/session', { as: ticket.agent });
      // A completed ticket ends the agent's access: the refusal names the state it ended in.
      return (
        answer.status === 401 && answer.body.code === 'AGENT_ACCESS_ENDED'
          ? answer.body.details.find((d: { path: string }) => d.path === 'state').message
          : answer.body.ticket.state
      ) as MigrationState;
    },
    {
      what: `ticket ${ticket.ticketId} to finish its recovery`,
      until: (state) => ['completed', 'completed_with_missing_documents', 'failed'].includes(state),
      timeoutMs: 60_000,
      intervalMs: 100,
    },
  );
}

async function trail(
  ticketId: string,
): Promise<{ action: string; from: string | null; to: string | null; reason: string | null }[]> {
  return (await queryDatabase(
    api.database.url,
    // What happened to the ticket; the custody audit of reading its page is not a change.
    'SELECT action, "fromState" AS "from", "toState" AS "to", reason FROM "AuditEvent" WHERE "ticketId" = $1 AND NOT action = ANY($2) ORDER BY id',
    [ticketId, READ_AUDIT_ACTIONS],
  )) as never;
}

const missingFile = (documentId: number, name: string): MissingDocument => ({
  documentId,
  name,
  relativePath: `UA/2024.1/${name}`,
  reason: 'missing-file',
});

it('recovers the documents that came back, lists those still missing (a NUL in a name stored as U+FFFD), and leaves plan and tenant alone', async () => {
  const ticket = await completedWithMissing([missingFile(1, 'offer.docx'), missingFile(2, 'gone.pdf')]);
  const tenantBefore = await queryDatabase(
    api.database.url,
    'SELECT t.state FROM "Ticket" k JOIN "Tenant" t ON t.id = k."tenantId" WHERE k.id = $1',
    [ticket.ticketId],
  );
  const offer = randomBytes(20_000);
  await startRecovery(ticket, { count: 1, bytes: offer.length });
  await tusUpload(ticket.agent, 1, 'UA/2024.1/offer.docx', offer);

  const outOfRange = await api.call('PUT', '/api/agent/documents/missing', {
    as: ticket.agent,
    body: { documents: [missingFile(2 ** 40, 'huge id.doc')] },
  });
  expect(outOfRange).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  const state = await finishRecovery(ticket, [missingFile(2, 'gone.pdf'), missingFile(3, 'nul\u0000in name.doc')]);
  expect(state).toBe('completed_with_missing_documents');

  const detail = (await api.call('GET', `/api/tickets/${ticket.ticketId}/detail`, { as: ops })).body as TicketDetail;
  expect(detail.documents).toMatchObject({ received: 1, receivedBytes: offer.length });
  expect(detail.documents.missing).toEqual([
    missingFile(2, 'gone.pdf'),
    { ...missingFile(3, 'nul\ufffdin name.doc'), relativePath: 'UA/2024.1/nul\ufffdin name.doc' },
  ]);
  expect(sha256(await readFile(path.join(archives, ticket.tenantDatabase, 'UA', '2024.1', 'offer.docx')))).toBe(
    sha256(offer),
  );

  const events = await trail(ticket.ticketId);
  expect(events.filter((e) => e.action === 'plan.applied')).toEqual([]);
  expect(events.at(-1)).toMatchObject({
    action: 'ticket.stateChanged',
    from: 'recovering',
    to: 'completed_with_missing_documents',
    reason: expect.stringMatching(/^recovery: documents verified; 2 document\(s\) could not be migrated$/),
  });
  expect(
    await queryDatabase(
      api.database.url,
      'SELECT t.state FROM "Ticket" k JOIN "Tenant" t ON t.id = k."tenantId" WHERE k.id = $1',
      [ticket.ticketId],
    ),
  ).toEqual(tenantBefore);
});

it("completes the ticket once nothing is missing, ending the agent's access: a repeated upload/complete changes nothing", async () => {
  const ticket = await completedWithMissing([missingFile(5, 'back.txt')]);
  const back = Buffer.from('the file is back');
  await startRecovery(ticket, { count: 1, bytes: back.length });
  await tusUpload(ticket.agent, 5, 'UA/2024.1/back.txt', back);
  expect(await finishRecovery(ticket, [])).toBe('completed');
  const before = await trail(ticket.ticketId);
  const again = await api.call('POST', '/api/agent/upload/complete', { as: ticket.agent });
  expect(again.status).toBe(401);
  expect(again.body.code).toBe('AGENT_ACCESS_ENDED');
  expect(await trail(ticket.ticketId)).toEqual(before);
});

it('fails a recovery whose documents are not where they were placed, naming them', async () => {
  const ticket = await completedWithMissing([missingFile(8, 'late.doc')]);
  const late = Buffer.from('late document');
  await startRecovery(ticket, { count: 1, bytes: late.length });
  await tusUpload(ticket.agent, 8, 'UA/2024.1/late.doc', late);
  // The file vanishes from the tenant archive before verification: hold the verification until it is placed, then remove it.
  await eventually(
    async () => {
      const [row] = await queryDatabase(
        api.database.url,
        'SELECT "storedAt" FROM "DocumentUpload" WHERE "ticketId" = $1',
        [ticket.ticketId],
      );
      return row?.storedAt;
    },
    { what: 'the late document placed', timeoutMs: 30_000, intervalMs: 100 },
  );
  await rm(path.join(archives, ticket.tenantDatabase, 'UA', '2024.1', 'late.doc'));
  expect(await finishRecovery(ticket, [])).toBe('failed');
  expect((await trail(ticket.ticketId)).at(-1)).toMatchObject({
    from: 'recovering',
    to: 'failed',
    reason: expect.stringContaining('document 8 ("UA/2024.1/late.doc") is gone from the archive'),
  });
});
