import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { QUEUES, agentSessionSchema, uploadManifestSchema, type AgentSession } from '@omt/contracts';
import { queryDatabase } from '../../../../test/support/databases';
import { QueuesService } from '../../src/queues/queues.service';
import { ProgressService } from '../../src/ledger/progress.service';
import { TicketStateService } from '../../src/ticket-state/ticket-state.service';
import { DirectoryBlobStore } from '../../src/storage/blob-store';
import { batchJobId, tableJobId } from '../../src/queues/job-ids';
import type { Credential } from '../support/auth-helpers';
import { startTestApi, type TestApi } from '../support/test-api';
import {
  blockingChecks,
  copyText,
  enrolledTicket,
  passedChecks,
  putBatch,
  sha256,
  startRequest,
  startedUpload,
  tablePath,
  tableSchema,
  validPlan,
} from './upload-fixtures';

const MAX_BATCH_BYTES = 256 * 1024;

describe('the agent upload API', () => {
  let api: TestApi;
  let sales: Credential;
  beforeAll(async () => {
    api = await startTestApi('uploads', { env: { OMT_MAX_BATCH_BYTES: String(MAX_BATCH_BYTES) } });
    sales = await api.createSalesKey();
  });
  afterAll(async () => api.close());

  const importQueue = () => api.context.get(QueuesService, { strict: false }).queue(QUEUES.import);
  const sql = (text: string, values: unknown[] = []) => queryDatabase(api.database.url, text, values);
  const stateOf = async (ticketId: string) => (await sql('SELECT state FROM "Ticket" WHERE id = $1', [ticketId]))[0]!.state;
  const batchRows = (ticketId: string) =>
    sql('SELECT "tableName", sequence, sha256, rows, bytes, "blobKey" FROM "BatchUpload" WHERE "ticketId" = $1 ORDER BY "tableName", sequence', [ticketId]);
  const session = async (agent: Credential): Promise<AgentSession> => {
    const answer = await api.call('GET', '/api/agent/session', { as: agent });
    expect(answer.status).toBe(200);
    return agentSessionSchema.parse(answer.body);
  };
  async function blobFiles(): Promise<string[]> {
    const entries = await readdir(api.config.blobDir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => path.relative(api.config.blobDir, path.join(e.parentPath, e.name)));
  }

  it('takes a whole upload over HTTP: session, checks, plan, tables, batches, figures, complete → importing with jobs queued', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    const first = await session(agent);
    expect(first).toMatchObject({ ticket: { id: ticketId, state: 'enrolled' }, mode: 'initial', manifest: { limits: null, tables: [] } });

    expect((await api.call('PUT', '/api/agent/checks', { as: agent, body: passedChecks })).body).toMatchObject({ state: 'ready' });
    expect((await api.call('PUT', '/api/agent/plan', { as: agent, body: validPlan() })).status).toBe(200);
    const started = await api.call('POST', '/api/agent/upload', { as: agent, body: startRequest({ contact: 3, person: 0 }) });
    expect(started.status).toBe(200);
    expect(uploadManifestSchema.parse(started.body)).toMatchObject({
      limits: { maxRows: 1000 },
      tables: [
        { name: 'contact', batches: [], complete: false },
        { name: 'person', batches: [], complete: false },
      ],
      uploadComplete: false,
    });
    expect(await stateOf(ticketId)).toBe('uploading');

    for (const name of ['contact', 'person']) {
      expect((await api.call('PUT', tablePath(name), { as: agent, body: tableSchema(name) })).status).toBe(204);
    }
    const batches = [copyText(0, 2), copyText(2, 3)];
    for (const [sequence, text] of batches.entries()) {
      expect((await putBatch(api, agent, 'contact', sequence, text)).body).toEqual({ table: 'contact', sequence, status: 'stored' });
    }
    const figures = { batches: 2, rows: 3, hash: 'a'.repeat(64) };
    expect((await api.call('POST', tablePath('contact', '/complete'), { as: agent, body: figures })).body).toEqual(figures);
    expect((await api.call('POST', tablePath('person', '/complete'), { as: agent, body: { batches: 0, rows: 0, hash: 'b'.repeat(64) } })).status).toBe(200);
    const missing = { documents: [{ documentId: 7, name: 'offer.docx', relativePath: 'SO_ARC/u/offer.docx', reason: 'missing-file' }] };
    expect((await api.call('PUT', '/api/agent/documents/missing', { as: agent, body: missing })).status).toBe(204);

    const completed = await api.call('POST', '/api/agent/upload/complete', { as: agent });
    expect(completed.status).toBe(200);
    expect(agentSessionSchema.parse(completed.body)).toMatchObject({
      ticket: { state: 'importing' },
      mode: 'wait',
      manifest: { uploadComplete: true, missingDocuments: missing.documents },
    });
    expect(await stateOf(ticketId)).toBe('importing');

    // The jobs wait in BullMQ under ids derived from ticket, table and sequence; the blobs hold the gzip as sent.
    const table = await importQueue().getJob(tableJobId(ticketId, 'contact'));
    expect(table?.data).toEqual({ ticketId, table: tableSchema('contact') });
    const rows = await batchRows(ticketId);
    for (const [sequence, text] of batches.entries()) {
      const job = await importQueue().getJob(batchJobId(ticketId, 'contact', sequence));
      expect(job?.name).toBe('import.batchReceived');
      expect(job?.data).toEqual({ ticketId, table: 'contact', sequence, blobKey: rows[sequence]!.blobKey, sha256: sha256(text), rows: sequence === 0 ? 2 : 1, bytes: text.length });
      const stored = await new DirectoryBlobStore(api.config.blobDir).get(rows[sequence]!.blobKey as string);
      const chunks: Buffer[] = [];
      for await (const chunk of stored) chunks.push(chunk as Buffer);
      expect(gunzipSync(Buffer.concat(chunks)).equals(text)).toBe(true);
    }
    const actions = (await sql('SELECT action, reason FROM "AuditEvent" WHERE "ticketId" = $1 ORDER BY id', [ticketId])).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['checks.stored', 'plan.stored', 'upload.started', 'table.completed', 'upload.completed']));
    const plan = await sql('SELECT plan, "checksReport" FROM "Ticket" WHERE id = $1', [ticketId]);
    expect(plan[0]).toEqual({ plan: validPlan().plan, checksReport: passedChecks });

    const progress = await api.context.get(ProgressService, { strict: false }).current(ticketId);
    expect(progress).toMatchObject({ phase: 'tables', tables: { done: 1, total: 2 }, rows: { done: 0, total: 3 }, documents: { done: 0, total: 2 } });
  });

  it('answers a batch sent twice as duplicate: one ledger row, one job', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, { contact: 2 });
    const text = copyText(0, 2);
    expect((await putBatch(api, agent, 'contact', 0, text)).body.status).toBe('stored');
    const again = await putBatch(api, agent, 'contact', 0, text);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ table: 'contact', sequence: 0, status: 'duplicate' });
    expect(await batchRows(ticketId)).toHaveLength(1);
    const jobs = await importQueue().getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs.filter((j) => j.data.ticketId === ticketId && j.name === 'import.batchReceived')).toHaveLength(1);
    expect((await blobFiles()).filter((f) => f.includes(ticketId))).toHaveLength(1);
  });

  it('lets only one of two concurrent uploads of a batch store it', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, { contact: 2 });
    const answers = await Promise.all([putBatch(api, agent, 'contact', 0, copyText(0, 2)), putBatch(api, agent, 'contact', 0, copyText(0, 2))]);
    expect(answers.map((a) => a.body.status).sort()).toEqual(['duplicate', 'stored']);
    expect(await batchRows(ticketId)).toHaveLength(1);
  });

  it('refuses the same sequence with other bytes with 409 and keeps the first', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, { contact: 2 });
    const first = copyText(0, 2);
    await putBatch(api, agent, 'contact', 0, first);
    const other = await putBatch(api, agent, 'contact', 0, copyText(0, 2, 'changed'));
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('BATCH_CONFLICT');
    expect((await batchRows(ticketId)).map((r) => r.sha256)).toEqual([sha256(first)]);
    expect((await blobFiles()).filter((f) => f.includes(ticketId))).toHaveLength(1);
  });

  it('stores nothing of a batch damaged on the way, not gzip, or with broken headers (422, 400)', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, { contact: 2 });
    const text = copyText(0, 2);
    const damaged = gzipSync(text);
    damaged[damaged.length - 9]! ^= 0xff; // one bit flipped on the wire: the hash of the body differs
    const wrongSha = await putBatch(api, agent, 'contact', 0, text, { body: damaged, gzipSha: sha256(gzipSync(text)) });
    expect(wrongSha.status).toBe(422);
    expect(wrongSha.body).toMatchObject({ code: 'CHECKSUM_MISMATCH', details: [{ path: 'x-omt-gzip-sha256' }] });
    const notGzip = await putBatch(api, agent, 'contact', 0, text, { body: text });
    expect(notGzip.status).toBe(422);
    expect(notGzip.body).toMatchObject({ code: 'BATCH_INVALID', details: [{ path: 'body' }] });
    const empty = await putBatch(api, agent, 'contact', 0, text, { body: Buffer.alloc(0) });
    expect(empty.status).toBe(422);
    expect(empty.body.code).toBe('BATCH_INVALID');
    for (const header of ['x-omt-rows', 'x-omt-bytes']) {
      const answer = await fetch(`${api.url}${tablePath('contact', '/batches/0')}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${(agent as { bearer: string }).bearer}`,
          'content-type': 'application/gzip',
          'x-omt-gzip-sha256': sha256(gzipSync(text)),
          'x-omt-sha256': sha256(text),
          'x-omt-rows': '2',
          'x-omt-bytes': String(text.length),
          [header]: '',
        },
        body: gzipSync(text),
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }

    expect(await batchRows(ticketId)).toHaveLength(0);
    expect((await blobFiles()).filter((f) => f.includes(ticketId))).toEqual([]);
    expect(await importQueue().getJob(batchJobId(ticketId, 'contact', 0))).toBeUndefined();
    // And the real batch still goes through afterwards.
    expect((await putBatch(api, agent, 'contact', 0, text)).body.status).toBe('stored');
  });

  it('refuses a batch too large as sent, or announced too large unpacked, with 413', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, { contact: 2 }, { maxRows: 1000, maxBytes: 64 * 1024 });
    const bomb = Buffer.alloc(16 * 1024 * 1024, 0x0a); // 16 MiB of empty lines: about 16 KiB of gzip
    const exploded = await putBatch(api, agent, 'contact', 0, bomb, { body: gzipSync(bomb, { level: 9 }) });
    expect(exploded.status).toBe(413);
    expect(exploded.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: [{ path: 'x-omt-bytes' }] });
    expect(exploded.body.message).toContain('uncompressed');

    const noise = randomBytes(MAX_BATCH_BYTES * 2); // random bytes do not compress
    const oversize = await putBatch(api, agent, 'contact', 0, noise.subarray(0, 1000), { body: gzipSync(noise) });
    expect(oversize.status).toBe(413);
    expect(oversize.body.message).toContain('compressed');
    expect(await batchRows(ticketId)).toHaveLength(0);
    expect((await blobFiles()).filter((f) => f.includes(ticketId))).toEqual([]);
  });

  it('keeps an agent to its own ticket, and refuses ops and sales', async () => {
    const a = await enrolledTicket(api, sales);
    const b = await enrolledTicket(api, sales);
    await startedUpload(api, a.agent, { contact: 1 });
    expect((await session(a.agent)).ticket.id).toBe(a.ticketId);
    expect(await putBatch(api, a.agent, 'contact', 0, copyText(0, 1))).toMatchObject({ status: 200 });
    expect(await stateOf(b.ticketId)).toBe('enrolled');
    expect(await sql('SELECT * FROM "TableUpload" WHERE "ticketId" = $1', [b.ticketId])).toEqual([]);
    expect((await session(b.agent)).manifest).toMatchObject({ limits: null, tables: [] });

    const ops = await api.loginAs('ops');
    const admin = await api.loginAs('admin');
    const calls: Array<[string, string]> = [
      ['GET', '/api/agent/session'],
      ['PUT', '/api/agent/checks'],
      ['PUT', '/api/agent/plan'],
      ['POST', '/api/agent/upload'],
      ['PUT', tablePath('contact')],
      ['POST', tablePath('contact', '/complete')],
      ['PUT', '/api/agent/documents/missing'],
      ['POST', '/api/agent/upload/complete'],
    ];
    for (const who of [sales, ops, admin]) {
      for (const [method, path] of calls) {
        const answer = await api.call(method, path, { as: who, body: method === 'GET' ? undefined : {} });
        expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({ method, path, status: 403, code: 'FORBIDDEN' });
      }
      expect((await putBatch(api, who, 'contact', 1, copyText(1, 2))).status).toBe(403);
    }
    expect((await api.call('GET', '/api/agent/session')).status).toBe(401);
    expect(await batchRows(a.ticketId)).toHaveLength(1);
  });

  it('answers an invalid plan with 422 and one detail per broken rule', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    const submission = validPlan();
    submission.plan.users[0]!.plan = null; // no administrator can log in
    submission.plan.migrator.phone = 'call me';
    const answer = await api.call('PUT', '/api/agent/plan', { as: agent, body: submission });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('PLAN_INVALID');
    expect(answer.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['migrator.phone', 'users']);
    expect((await sql('SELECT plan FROM "Ticket" WHERE id = $1', [ticketId]))[0]!.plan).toBeNull();
  });

  it('moves the ticket by its checks and refuses them once the upload has started', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    expect((await api.call('PUT', '/api/agent/checks', { as: agent, body: blockingChecks })).body.state).toBe('checks_failed');
    expect((await api.call('PUT', '/api/agent/checks', { as: agent, body: blockingChecks })).body.state).toBe('checks_failed');
    expect((await api.call('PUT', '/api/agent/checks', { as: agent, body: passedChecks })).body.state).toBe('ready');
    const noPlan = await api.call('POST', '/api/agent/upload', { as: agent, body: startRequest({ contact: 1 }) });
    expect(noPlan.status).toBe(409);
    expect(noPlan.body.message).toContain('plan');
    await startedUpload(api, agent, { contact: 1 });
    const late = await api.call('PUT', '/api/agent/checks', { as: agent, body: passedChecks });
    expect(late.status).toBe(409);
    expect(await stateOf(ticketId)).toBe('uploading');
  });

  it('lets a resumed agent see what landed, takes its new limits, and completes only when every batch is in', async () => {
    const { agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, { contact: 3, person: 1 }, { maxRows: 2, maxBytes: 4096 });
    await putBatch(api, agent, 'contact', 0, copyText(0, 2));
    await api.call('POST', tablePath('contact', '/complete'), { as: agent, body: { batches: 2, rows: 3, hash: 'c'.repeat(64) } });

    const resumed = await session(agent);
    expect(resumed.mode).toBe('resume');
    expect(resumed.manifest.tables).toEqual([
      { name: 'contact', batches: [{ sequence: 0, sha256: sha256(copyText(0, 2)), rows: 2 }], complete: true },
      { name: 'person', batches: [], complete: false },
    ]);
    const early = await api.call('POST', '/api/agent/upload/complete', { as: agent });
    expect(early.status).toBe(409);
    expect(early.body.message).toContain("'contact' misses 1 of its 2 batch(es)");
    expect(early.body.message).toContain("'person' has no figures yet");

    const restarted = await api.call('POST', '/api/agent/upload', { as: agent, body: startRequest({ contact: 3, person: 1 }, { maxRows: 500, maxBytes: 8192 }) });
    // Landed batches record their rows, so a resume may cut what is left with other limits.
    expect(restarted.body.limits).toEqual({ maxRows: 500, maxBytes: 8192 });
    const dropped = await api.call('POST', '/api/agent/upload', { as: agent, body: startRequest({ contact: 3 }) });
    expect(dropped.status).toBe(409);
    expect(dropped.body.message).toContain("'person'");

    await putBatch(api, agent, 'contact', 1, copyText(2, 3));
    await api.call('POST', tablePath('person', '/complete'), { as: agent, body: { batches: 0, rows: 0, hash: 'd'.repeat(64) } });
    const changed = await api.call('POST', tablePath('person', '/complete'), { as: agent, body: { batches: 1, rows: 0, hash: 'd'.repeat(64) } });
    expect(changed.status).toBe(409);
    expect((await api.call('POST', '/api/agent/upload/complete', { as: agent })).body.ticket.state).toBe('importing');
    // Its answer lost, the agent asks again: nothing changes.
    expect((await api.call('POST', '/api/agent/upload/complete', { as: agent })).body).toMatchObject({ ticket: { state: 'importing' }, mode: 'wait' });
    expect((await putBatch(api, agent, 'contact', 2, copyText(3, 4))).status).toBe(409);
  });

  it('refuses a changed schema, a table never announced, and batches before their schema', async () => {
    const { agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, { contact: 1 });
    const same = await api.call('PUT', tablePath('contact'), { as: agent, body: tableSchema('contact') });
    expect(same.status).toBe(204);
    const changed = { ...tableSchema('contact'), primaryKey: [] };
    const refused = await api.call('PUT', tablePath('contact'), { as: agent, body: changed });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('reset the ticket');
    expect((await api.call('PUT', tablePath('ghost'), { as: agent, body: tableSchema('ghost') })).status).toBe(404);
    expect((await api.call('PUT', tablePath('contact'), { as: agent, body: tableSchema('other') })).status).toBe(400);
    expect((await putBatch(api, agent, 'ghost', 0, copyText(0, 1))).status).toBe(404);

    // A structure that does not hold together is refused before anything is stored, naming what is wrong.
    const { agent: third } = await enrolledTicket(api, sales);
    await startedUpload(api, third, { contact: 1 });
    const broken = {
      ...tableSchema('contact'),
      indexes: [{ name: 'IX_gone', unique: false, constraint: false, keys: [{ column: 'gone', descending: false }], include: [], filter: [] }],
    };
    const unsound = await api.call('PUT', tablePath('contact'), { as: third, body: broken });
    expect(unsound.status).toBe(400);
    expect(unsound.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(unsound.body.message).toContain('index "IX_gone" names column "gone", which the table does not have');
    expect((await api.call('PUT', tablePath('contact'), { as: third, body: tableSchema('contact') })).status).toBe(204);

    const { agent: second } = await enrolledTicket(api, sales);
    await api.call('PUT', '/api/agent/checks', { as: second, body: passedChecks });
    await api.call('PUT', '/api/agent/plan', { as: second, body: validPlan() });
    await api.call('POST', '/api/agent/upload', { as: second, body: startRequest({ contact: 1 }) });
    const early = await putBatch(api, second, 'contact', 0, copyText(0, 1));
    expect(early.status).toBe(409);
    expect(early.body.message).toContain('schema');
  });

  it('recovers documents of a completed ticket without touching its tables', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, { contact: 1 });
    await putBatch(api, agent, 'contact', 0, copyText(0, 1));
    await api.call('POST', tablePath('contact', '/complete'), { as: agent, body: { batches: 1, rows: 1, hash: 'f'.repeat(64) } });
    await api.call('POST', '/api/agent/upload/complete', { as: agent });
    // The cloud side finishes with documents missing (the worker's moves, made here through the same state service).
    const states = api.context.get(TicketStateService, { strict: false });
    for (const to of ['verifying', 'configuring', 'completed_with_missing_documents'] as const) await states.transition(ticketId, to, 'system', null);
    const tablesBefore = await sql('SELECT * FROM "TableUpload" WHERE "ticketId" = $1', [ticketId]);
    expect((await session(agent)).mode).toBe('recovery');

    const again = await api.call('POST', '/api/agent/upload', { as: agent, body: startRequest({ other: 5 }, { maxRows: 7, maxBytes: 2048 }) });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ limits: { maxRows: 1000 }, tables: [{ name: 'contact', complete: true }], uploadComplete: false });
    expect(await stateOf(ticketId)).toBe('recovering');
    expect(await sql('SELECT * FROM "TableUpload" WHERE "ticketId" = $1', [ticketId])).toEqual(tablesBefore);
    expect((await putBatch(api, agent, 'contact', 1, copyText(1, 2))).status).toBe(409);

    const done = await api.call('POST', '/api/agent/upload/complete', { as: agent });
    expect(done.body).toMatchObject({ ticket: { state: 'recovering' }, mode: 'recovery', manifest: { uploadComplete: true } });
  });

  it('takes large JSON bodies: a directory of thousands of users, tens of thousands of missing documents', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    const submission = validPlan();
    for (let id = 3; id < 3000; id++) {
      submission.directory.users.push({ associateId: id, login: `U${id}`, name: `User number ${id}`, group: 'Sales', position: 'Representative', emails: [`user${id}@example.com`], isAdministrator: false, currentPlan: null });
      submission.plan.users.push({ associateId: id, login: `U${id}`, plan: null, loginEmail: null });
    }
    expect((await api.call('PUT', '/api/agent/plan', { as: agent, body: submission })).status).toBe(200);
    await startedUpload(api, agent, { contact: 0 });
    const documents = Array.from({ length: 20_000 }, (_, i) => ({
      documentId: i + 1,
      name: `document ${i + 1}.docx`,
      relativePath: `SO_ARC/user${i % 50}/2024.${(i % 12) + 1}/document ${i + 1}.docx`,
      reason: 'missing-file' as const,
    }));
    expect((await api.call('PUT', '/api/agent/documents/missing', { as: agent, body: { documents } })).status).toBe(204);
    const [{ count }] = (await sql('SELECT count(*)::int AS count FROM "MissingDocument" WHERE "ticketId" = $1', [ticketId])) as [{ count: number }];
    expect(count).toBe(20_000);
    // Replaced, not added to.
    expect((await api.call('PUT', '/api/agent/documents/missing', { as: agent, body: { documents: documents.slice(0, 3) } })).status).toBe(204);
    expect((await session(agent)).manifest.missingDocuments).toEqual(documents.slice(0, 3));
    const twice = await api.call('PUT', '/api/agent/documents/missing', { as: agent, body: { documents: [documents[0], documents[0]] } });
    expect(twice.status).toBe(400);
    expect(twice.body.message).toContain('document 1');
  }, 60_000);

  it('treats table names as data: quotes, slashes, dots and unicode round-trip and never reach a path', async () => {
    const names = ["O'Brien \"quoted\"", 'a/../../etc', '..', '.', '~..', 'tabell æøå 表 😀', '%2E%2E', 'x\\y'];
    const { ticketId, agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, Object.fromEntries(names.map((n) => [n, 1])));
    for (const name of names) {
      expect({ name, answer: (await putBatch(api, agent, name, 0, copyText(0, 1, name))).body }).toEqual({
        name,
        answer: { table: name, sequence: 0, status: 'stored' },
      });
      expect((await api.call('POST', tablePath(name, '/complete'), { as: agent, body: { batches: 1, rows: 1, hash: 'e'.repeat(64) } })).status).toBe(200);
    }
    const manifest = (await session(agent)).manifest;
    expect(manifest.tables.map((t) => t.name)).toEqual(names);
    expect(manifest.tables.every((t) => t.complete && t.batches.length === 1)).toBe(true);
    const stored = (await sql('SELECT name, schema FROM "TableUpload" WHERE "ticketId" = $1', [ticketId])).map((r) => [r.name, (r.schema as { name: string }).name]);
    expect(stored.sort()).toEqual(names.map((n) => [n, n]).sort());
    for (const file of (await blobFiles()).filter((f) => f.includes(ticketId))) {
      expect(file).toMatch(/^tickets\/[0-9a-f-]{36}\/tables\/[0-9a-f]{16}\/0-[0-9a-f]{12}\.gz$/);
    }
    expect((await api.call('POST', '/api/agent/upload/complete', { as: agent })).status).toBe(200);
  });
});
