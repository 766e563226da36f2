import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DetailedError, Upload, type UploadOptions } from 'tus-js-client';
import { queryDatabase } from '../../../../test/support/databases';
import { eventually } from '../../../../test/support/eventually';
import { startTcpProxy } from '../../../../test/support/tcp-proxy';
import { TicketStateService } from '../../src/ticket-state/ticket-state.service';
import { DocumentVerifier } from '../../src/documents/document-verifier.service';
import { safeArchivePath } from '../../src/documents/safe-archive-path';
import { AGENT_TOKEN_REUSE_MS } from '../../src/auth/recent-agent-tokens';
import { startTestApi, type TestApi } from '../support/test-api';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let api: TestApi;
let work: string;
let archives: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'omt-documents-'));
  archives = path.join(await mkdtemp(path.join(os.tmpdir(), 'omt-archives-')), 'archives');
  api = await startTestApi('documents', {
    worker: true,
    env: { OMT_TENANT_ARCHIVE_DIR: archives, OMT_MAX_DOCUMENT_BYTES: String(32 * 1024 * 1024) },
  });
});

afterAll(async () => {
  await api?.close();
  await rm(work, { recursive: true, force: true });
  await rm(path.dirname(archives), { recursive: true, force: true });
});

interface AgentTicket {
  ticketId: string;
  token: string;
  tenantDatabase: string;
}

/** A ticket in `uploading` with its agent token (the upload start itself is another feature's endpoint). */
async function uploadingTicket(): Promise<AgentTicket> {
  const created = await api.createTicket(await api.createSalesKey());
  const agent = await api.enroll(created.enrollmentCode);
  const states = api.context.get(TicketStateService, { strict: false });
  await states.transition(created.ticket.id, 'ready', 'system', 'test');
  await states.transition(created.ticket.id, 'uploading', 'system', 'test');
  const [tenant] = await queryDatabase(
    api.database.url,
    'SELECT tn."databaseName" FROM "Ticket" t JOIN "Tenant" tn ON tn.id = t."tenantId" WHERE t.id = $1',
    [created.ticket.id],
  );
  return { ticketId: created.ticket.id, token: agent.bearer, tenantDatabase: tenant!.databaseName as string };
}

interface Sent {
  url: string | null;
  error: DetailedError | Error | null;
}

/** One upload with tus-js-client, as a real client does it; resolves with its URL or its error. */
function tusUpload(
  endpoint: string,
  token: string,
  data: Buffer | string,
  metadata: Record<string, string>,
  extra: Partial<UploadOptions> = {},
): Promise<Sent> {
  return new Promise((resolve) => {
    const upload: Upload = new Upload(typeof data === 'string' ? createReadStream(data) : data, {
      endpoint: `${endpoint}/api/agent/documents`,
      headers: { authorization: `Bearer ${token}` },
      metadata,
      retryDelays: [0, 50, 100, 200],
      onSuccess: () => resolve({ url: upload.url, error: null }),
      onError: (error) => resolve({ url: upload.url, error }),
      ...extra,
    });
    upload.start();
  });
}

function metadataOf(documentId: number, relativePath: string, data: Buffer, overrides: Record<string, string> = {}) {
  return {
    documentId: String(documentId),
    relativePath,
    sha256: sha256(data),
    bytes: String(data.length),
    ...overrides,
  };
}

async function documentRow(ticketId: string, documentId: number) {
  const [row] = await queryDatabase(
    api.database.url,
    'SELECT * FROM "DocumentUpload" WHERE "ticketId" = $1 AND "documentId" = $2',
    [ticketId, documentId],
  );
  return row;
}

/** Waits until the worker has placed every listed document of the ticket. */
async function placed(ticketId: string, count: number): Promise<void> {
  await eventually(
    async () => {
      const [row] = await queryDatabase(
        api.database.url,
        'SELECT count(*)::int AS n FROM "DocumentUpload" WHERE "ticketId" = $1 AND "storedAt" IS NOT NULL',
        [ticketId],
      );
      return row!.n as number;
    },
    { what: `${count} documents of ${ticketId} placed`, until: (n) => n >= count, timeoutMs: 60_000, intervalMs: 100 },
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

it('stores a document in the tenant archive with the sha256 it was sent with, and verifies it', async () => {
  const agent = await uploadingTicket();
  const data = randomBytes(300_000);
  const sent = await tusUpload(api.url, agent.token, data, metadataOf(7, 'UA/2024.1/Offer (1).docx', data));
  expect(sent.error).toBeNull();

  await placed(agent.ticketId, 1);
  const row = await documentRow(agent.ticketId, 7);
  expect(row).toMatchObject({
    relativePath: 'UA/2024.1/Offer (1).docx',
    sha256: sha256(data),
    bytes: String(data.length),
  });
  const stored = await readFile(path.join(archives, agent.tenantDatabase, 'UA', '2024.1', 'Offer (1).docx'));
  expect(sha256(stored)).toBe(sha256(data));

  const verifier = api.context.get(DocumentVerifier, { strict: false });
  expect(await verifier.verifyDocuments(agent.ticketId)).toEqual([]);
  await writeFile(path.join(archives, agent.tenantDatabase, 'UA', '2024.1', 'Offer (1).docx'), 'tampered');
  expect(await verifier.verifyDocuments(agent.ticketId)).toEqual([
    expect.objectContaining({
      documentId: 7,
      problem: 'changed',
      expectedSha256: sha256(data),
      actualSha256: sha256(Buffer.from('tampered')),
    }),
  ]);
});

it('keeps hostile names inside the tenant archive, each document in a file of its own', async () => {
  const agent = await uploadingTicket();
  const hostile = [
    '../../../../escape.txt',
    '/etc/passwd',
    'C:\\Windows\\win.ini',
    '\\\\server\\share\\x.doc',
    'ua/2024.1/CON',
    'ua/2024.1/nul.txt',
    'ua/2024.1/tab\there\r\n.doc',
    'ua/2024.1/..',
    `ua/2024.1/${'ü'.repeat(300)}.pdf`,
    'ua/2024.1/what?.doc',
    'ua/2024.1/what_.doc',
  ];
  const contents = hostile.map((name) => Buffer.from(`document ${name}`));
  const results = await Promise.all(
    hostile.map((name, i) => tusUpload(api.url, agent.token, contents[i]!, metadataOf(100 + i, name, contents[i]!))),
  );
  expect(results.map((r) => r.error)).toEqual(hostile.map(() => null));

  await placed(agent.ticketId, hostile.length);
  // Everything under the archives' parent is inside some tenant's folder, no half-written file left.
  const tenantRoot = path.join(archives, agent.tenantDatabase);
  const everything = await filesUnder(path.dirname(archives));
  for (const file of everything)
    expect(path.relative(archives, file).split(path.sep)[0]).toMatch(/^(tenant_|omt_t_[0-9a-f]+_)cust\d+$/);
  expect(everything.filter((f) => f.startsWith(tenantRoot + path.sep))).toHaveLength(hostile.length);
  // And nothing where a naive join of the name would have written it.
  for (const name of hostile) {
    const naive = path.resolve(tenantRoot, ...name.split(/[\\/]/));
    if (!naive.startsWith(tenantRoot + path.sep)) expect(existsSync(naive) && naive).toBe(false);
  }
  for (const [i, name] of hostile.entries()) {
    const file = path.join(tenantRoot, ...safeArchivePath(name).split('/'));
    expect(await readFile(file)).toEqual(contents[i]);
  }
});

it('rejects a document whose bytes do not match its sha256 (not retried, nothing recorded) and bad metadata', async () => {
  const agent = await uploadingTicket();
  const data = randomBytes(10_000);
  const wrong = await tusUpload(
    api.url,
    agent.token,
    data,
    metadataOf(1, 'ua/2024.1/x.doc', data, { sha256: sha256(Buffer.from('other')) }),
  );
  expect(wrong.error).toBeInstanceOf(DetailedError);
  const response = (wrong.error as DetailedError).originalResponse!;
  expect(response.getStatus()).toBe(422);
  expect(JSON.parse(response.getBody())).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
  expect(await documentRow(agent.ticketId, 1)).toBeUndefined();
  const head = await fetch(wrong.url!, {
    method: 'HEAD',
    headers: { authorization: `Bearer ${agent.token}`, 'tus-resumable': '1.0.0' },
  });
  expect(head.status).toBe(404);

  const nul = await tusUpload(api.url, agent.token, data, metadataOf(4, 'ua/2024.1/a\u0000b.doc', data));
  expect(JSON.parse((nul.error as DetailedError).originalResponse!.getBody())).toMatchObject({
    code: 'VALIDATION_FAILED',
    details: [expect.objectContaining({ path: 'relativePath', message: 'must not contain NUL' })],
  });
  const hugeId = await tusUpload(api.url, agent.token, data, metadataOf(2 ** 40, 'ua/2024.1/x.doc', data));
  expect((hugeId.error as DetailedError).originalResponse!.getStatus()).toBe(400);

  const noHash = await tusUpload(api.url, agent.token, data, {
    documentId: '2',
    relativePath: 'x',
    bytes: String(data.length),
  });
  expect((noHash.error as DetailedError).originalResponse!.getStatus()).toBe(400);
  expect(JSON.parse((noHash.error as DetailedError).originalResponse!.getBody())).toMatchObject({
    code: 'VALIDATION_FAILED',
    details: [expect.objectContaining({ path: 'sha256' })],
  });

  const big = Buffer.alloc(1);
  const tooBig = await tusUpload(api.url, agent.token, big, metadataOf(3, 'x', big), { uploadSize: 33 * 1024 * 1024 });
  expect((tooBig.error as DetailedError).originalResponse!.getStatus()).toBe(413);
});

it('refuses documents for a ticket that is not uploading or recovering', async () => {
  const created = await api.createTicket(await api.createSalesKey());
  const agent = await api.enroll(created.enrollmentCode);
  const data = Buffer.from('early');
  const sent = await tusUpload(api.url, agent.bearer, data, metadataOf(1, 'x.doc', data));
  expect((sent.error as DetailedError).originalResponse!.getStatus()).toBe(409);
  expect(JSON.parse((sent.error as DetailedError).originalResponse!.getBody())).toMatchObject({
    code: 'STATE_TRANSITION_FORBIDDEN',
  });
});

it("does not let one agent look at or write to another agent's upload", async () => {
  const a = await uploadingTicket();
  const b = await uploadingTicket();
  const data = randomBytes(1000);
  const created = await fetch(`${api.url}/api/agent/documents`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${a.token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(data.length),
      'upload-metadata': Object.entries(metadataOf(5, 'ua/x.doc', data))
        .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
        .join(','),
    },
  });
  expect(created.status).toBe(201);
  const location = new URL(created.headers.get('location')!, api.url).toString();
  const tus = (token: string, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${token}`,
    'tus-resumable': '1.0.0',
    ...extra,
  });

  // Another ticket's upload is no upload at all to this agent: 404, as for one that never existed.
  const peek = await fetch(location, { method: 'HEAD', headers: tus(b.token) });
  expect(peek.status).toBe(404);
  const write = await fetch(location, {
    method: 'PATCH',
    headers: tus(b.token, { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }),
    body: data,
  });
  expect(write.status).toBe(404);
  expect(await write.json()).toMatchObject({ code: 'NOT_FOUND' });
  const nobody = await fetch(location, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
  expect(nobody.status).toBe(401);

  const own = await fetch(location, { method: 'HEAD', headers: tus(a.token) });
  expect(own.status).toBe(200);
  expect(own.headers.get('upload-offset')).toBe('0');
});

it("answers every refusal of the tus endpoint with the error envelope, tus' status kept", async () => {
  const a = await uploadingTicket();
  const b = await uploadingTicket();
  const data = Buffer.from('twelve bytes');
  const metadata = Object.entries(metadataOf(6, 'ua/x.doc', data))
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
  const tus = (token: string, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${token}`,
    'tus-resumable': '1.0.0',
    ...extra,
  });
  const created = await fetch(`${api.url}/api/agent/documents`, {
    method: 'POST',
    headers: tus(a.token, { 'upload-length': String(data.length), 'upload-metadata': metadata }),
  });
  expect(created.status).toBe(201);
  const location = new URL(created.headers.get('location')!, api.url).toString();
  const patch = (token: string, url: string, offset: string) =>
    fetch(url, {
      method: 'PATCH',
      headers: tus(token, { 'upload-offset': offset, 'content-type': 'application/offset+octet-stream' }),
      body: data,
    });

  const refusals = {
    noTusHeader: await fetch(`${api.url}/api/agent/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'upload-length': '12', 'upload-metadata': metadata },
    }),
    badHeader: await fetch(`${api.url}/api/agent/documents`, {
      method: 'POST',
      headers: tus(a.token, { 'upload-length': 'twelve', 'upload-metadata': metadata }),
    }),
    unknownUpload: await patch(a.token, `${api.url}/api/agent/documents/${a.ticketId}.${'0'.repeat(32)}`, '0'),
    wrongOffset: await patch(a.token, location, '5'),
    otherTicket: await patch(b.token, location, '0'),
  };
  const answers = Object.fromEntries(
    await Promise.all(
      Object.entries(refusals).map(async ([what, response]) => [
        what,
        { status: response.status, body: await response.json() },
      ]),
    ),
  );
  const envelope = (code: string) => ({ code, message: expect.any(String), details: expect.any(Array) });
  expect(answers).toEqual({
    noTusHeader: { status: 412, body: envelope('VALIDATION_FAILED') },
    badHeader: { status: 400, body: envelope('VALIDATION_FAILED') },
    unknownUpload: { status: 404, body: envelope('NOT_FOUND') },
    wrongOffset: { status: 409, body: envelope('CONFLICT') },
    otherTicket: { status: 404, body: envelope('NOT_FOUND') },
  });
  expect(answers.noTusHeader.body.message).toMatch(/Tus-Resumable/);
  // Still tus for a tus client: the upload completes from offset 0.
  expect((await patch(a.token, location, '0')).status).toBe(204);
});

it('resumes after the connection drops mid-document: it keeps what had arrived instead of starting again', async () => {
  const agent = await uploadingTicket();
  const file = path.join(work, 'large.bin');
  const data = randomBytes(12 * 1024 * 1024);
  await writeFile(file, data);
  const proxy = await startTcpProxy(api.url);
  try {
    const cut = 5 * 1024 * 1024;
    proxy.cutAfter(cut);
    const sent = await tusUpload(proxy.url, agent.token, file, metadataOf(9, 'ua/2024.1/large.bin', data));
    expect(sent.error).toBeNull();
    expect(proxy.cuts).toBe(1);
    // A restart from offset 0 sends the file plus everything before the cut. A
    // resume loses only what sat in socket buffers when the line broke: how
    // much depends on the machine's load (up to ~11 % seen in CI on 2 busy
    // cores), never more than half of the cut's bytes here.
    expect(proxy.upstreamBytes).toBeLessThan(data.length + cut / 2);
    await placed(agent.ticketId, 1);
    const stored = await readFile(path.join(archives, agent.tenantDatabase, 'ua', '2024.1', 'large.bin'));
    expect(sha256(stored)).toBe(sha256(data));
    console.log(
      `resume over a cut connection: ${proxy.upstreamBytes} bytes sent for ${data.length} (${((proxy.upstreamBytes / data.length) * 100).toFixed(1)} %)`,
    );
  } finally {
    await proxy.close();
  }
});

/** A tus upload by hand, in the PATCHes given (byte ranges of `data`), so a test controls where it resumes. */
async function uploadInPieces(
  token: string,
  data: Buffer,
  metadata: Record<string, string>,
  cuts: number[],
): Promise<{ location: string; last: Response }> {
  const headers = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
  const created = await fetch(`${api.url}/api/agent/documents`, {
    method: 'POST',
    headers: {
      ...headers,
      'upload-length': String(data.length),
      'upload-metadata': Object.entries(metadata)
        .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
        .join(','),
    },
  });
  expect(created.status).toBe(201);
  const location = new URL(created.headers.get('location')!, api.url).toString();
  let last: Response | null = null;
  for (const [from, to] of [0, ...cuts].map((c, i, all) => [c, all[i + 1] ?? data.length] as const)) {
    last = await fetch(location, {
      method: 'PATCH',
      headers: { ...headers, 'upload-offset': String(from), 'content-type': 'application/offset+octet-stream' },
      body: data.subarray(from, to),
    });
  }
  return { location, last: last! };
}

it('checks the sha256 of a resumed upload (its hash is not known from one PATCH) and of one sent whole', async () => {
  const agent = await uploadingTicket();
  const data = randomBytes(200_000);

  const wrongResumed = await uploadInPieces(
    agent.token,
    data,
    metadataOf(11, 'ua/resumed-wrong.doc', data, { sha256: sha256(Buffer.from('other')) }),
    [70_000],
  );
  expect(wrongResumed.last.status).toBe(422);
  expect(await wrongResumed.last.json()).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
  expect(await documentRow(agent.ticketId, 11)).toBeUndefined();

  // A damaged middle piece: the announced sha256 is the file's, the bytes that arrived are not.
  const damaged = Buffer.from(data);
  damaged.writeUInt8(damaged.readUInt8(100_000) ^ 0xff, 100_000);
  const { last } = await uploadInPieces(
    agent.token,
    damaged,
    metadataOf(12, 'ua/damaged.doc', data),
    [50_000, 150_000],
  );
  expect(last.status).toBe(422);
  expect(await documentRow(agent.ticketId, 12)).toBeUndefined();

  const resumed = await uploadInPieces(agent.token, data, metadataOf(13, 'ua/resumed.doc', data), [1, 99_999]);
  expect(resumed.last.status).toBe(204);
  const whole = await uploadInPieces(agent.token, damaged, metadataOf(14, 'ua/whole-damaged.doc', data), []);
  expect(whole.last.status).toBe(422);
  await placed(agent.ticketId, 1);
  const stored = await readFile(path.join(archives, agent.tenantDatabase, 'ua', 'resumed.doc'));
  expect(sha256(stored)).toBe(sha256(data));
});

it('finishing an upload again changes nothing; the same bytes in a new upload keep the first; a changed file replaces it', async () => {
  const agent = await uploadingTicket();
  const data = randomBytes(50_000);
  const first = await uploadInPieces(agent.token, data, metadataOf(21, 'ua/again.doc', data), []);
  expect(first.last.status).toBe(204);
  await placed(agent.ticketId, 1);
  const recorded = await documentRow(agent.ticketId, 21);

  // The HEAD of a finished upload finishes it again (the path for a process that died before its ledger row).
  const head = await fetch(first.location, {
    method: 'HEAD',
    headers: { authorization: `Bearer ${agent.token}`, 'tus-resumable': '1.0.0' },
  });
  expect(head.status).toBe(200);
  expect(head.headers.get('upload-offset')).toBe(String(data.length));
  expect(await documentRow(agent.ticketId, 21)).toEqual(recorded);

  const same = await uploadInPieces(agent.token, data, metadataOf(21, 'ua/again.doc', data), []);
  expect(same.last.status).toBe(204);
  expect(await documentRow(agent.ticketId, 21)).toEqual(recorded);
  const gone = await fetch(same.location, {
    method: 'HEAD',
    headers: { authorization: `Bearer ${agent.token}`, 'tus-resumable': '1.0.0' },
  });
  expect(gone.status).toBe(404);

  const changed = randomBytes(40_000);
  const replaced = await uploadInPieces(agent.token, changed, metadataOf(21, 'ua/again.doc', changed), [10_000]);
  expect(replaced.last.status).toBe(204);
  expect(await documentRow(agent.ticketId, 21)).toMatchObject({
    sha256: sha256(changed),
    bytes: String(changed.length),
  });
  await eventually(async () => sha256(await readFile(path.join(archives, agent.tenantDatabase, 'ua', 'again.doc'))), {
    what: 'the changed file placed (its sha256)',
    until: (stored) => stored === sha256(changed),
    timeoutMs: 10_000,
    intervalMs: 100,
  });
});

it('refuses a revoked agent token on the document upload at most AGENT_TOKEN_REUSE_MS later, elsewhere at once', async () => {
  const agent = await uploadingTicket();
  const data = randomBytes(1000);
  expect((await uploadInPieces(agent.token, data, metadataOf(31, 'ua/before.doc', data), [])).last.status).toBe(204);
  await queryDatabase(api.database.url, 'UPDATE "AgentToken" SET "revokedAt" = now() WHERE "ticketId" = $1', [
    agent.ticketId,
  ]);
  const elsewhere = await fetch(`${api.url}/api/tickets/${agent.ticketId}`, {
    headers: { authorization: `Bearer ${agent.token}` },
  });
  expect(elsewhere.status).toBe(401);
  // A document request is refused once the API's memory of the token lapses: probed with the HEAD of no upload, which changes nothing.
  await eventually(
    async () =>
      (
        await fetch(`${api.url}/api/agent/documents/${agent.ticketId}.${'0'.repeat(32)}`, {
          method: 'HEAD',
          headers: { authorization: `Bearer ${agent.token}`, 'tus-resumable': '1.0.0' },
        })
      ).status,
    {
      what: 'the revoked token refused on documents',
      until: (status) => status === 401,
      timeoutMs: AGENT_TOKEN_REUSE_MS + 500,
    },
  );
  const later = await fetch(`${api.url}/api/agent/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agent.token}`, 'tus-resumable': '1.0.0', 'upload-length': '1' },
  });
  expect(later.status).toBe(401);
  expect(await later.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
});
