import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BATCH_CONTENT_TYPE, BATCH_HEADERS } from '@omt/contracts';
import { queryDatabase } from '../../../test/support/databases';
import { Prisma } from '../src/generated/prisma/client';
import { PrismaService } from '../src/prisma/prisma.service';
import type { Credential } from './support/auth-helpers';
import { startTestApi, type TestApi } from './support/test-api';
import { tenantIdentifier } from '@omt/copy-text';
import {
  copyText,
  enrolledTicket,
  passedChecks,
  putBatch,
  startRequest,
  startedUpload,
  tablePath,
  tableSchema,
  validPlan,
} from './uploads/upload-fixtures';

/**
 * A bounded run of malformed and hostile requests against every endpoint the
 * OpenAPI document lists (so a new endpoint is covered the day it appears):
 * wrong types, huge and broken bodies, bad tokens, other tickets' ids, path
 * and SQL metacharacters. Nothing may answer 5xx and nothing may change.
 */
type Operation = { requestBody?: unknown; parameters?: { name: string; in: string }[] };
type Document = { paths: Record<string, Record<string, Operation>> };

const HOSTILE_STRINGS = [
  '../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  "' OR 1=1 --",
  '"; DROP TABLE "Ticket"; --',
  '%00',
  '\u0000',
  'C:\\CON\\NUL',
  '😀'.repeat(300),
  'x'.repeat(5000),
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '00000000-0000-0000-0000-000000000000',
  '-1',
  '1e309',
];

const HOSTILE_BODIES: (string | undefined)[] = [
  '[]',
  '"just a string"',
  '123',
  'null',
  '{"broken json',
  '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}',
  JSON.stringify({ reason: 42, state: 'completed', ticketId: "' OR 1=1 --", customerId: '../../x', name: 7 }),
  JSON.stringify({
    code: { $ne: null },
    email: ['a'],
    password: { length: 99 },
    kind: 'live',
    plan: 'x',
    tables: 'all',
  }),
  JSON.stringify({ deep: JSON.parse('['.repeat(200) + ']'.repeat(200)) as unknown }),
  JSON.stringify({ documents: [{ documentId: 'x', relativePath: '../../../etc/passwd', reason: 'ok' }] }),
  `{"blob": "${'A'.repeat(3 * 1024 * 1024)}"}`,
];

function hasEnvelope(text: string): boolean {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    return typeof body.code === 'string' && typeof body.message === 'string';
  } catch {
    return false;
  }
}

/** A small deterministic generator, so a failure is reproducible. */
function prng(seed: number) {
  let state = seed >>> 0;
  return <T>(items: readonly T[]): T => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return items[state % items.length]!;
  };
}

describe('hostile requests', () => {
  let api: TestApi;
  let document: Document;
  let ticketA: string;
  let ticketB: string;
  let credentials: { name: string; as: Credential }[];

  beforeAll(async () => {
    api = await startTestApi('bad-input', { worker: true });
    document = (await (await fetch(`${api.url}/api/docs/openapi.json`)).json()) as Document;
    const sales = await api.createSalesKey();
    const a = await api.createTicket(sales);
    const b = await api.createTicket(sales);
    ticketA = a.ticket.id;
    ticketB = b.ticket.id;
    const agentA = await api.enroll(a.enrollmentCode);
    credentials = [
      { name: 'nobody', as: null },
      { name: 'bad bearer', as: { bearer: 'omt_agent_' + 'f'.repeat(40) } },
      { name: 'bad cookie', as: { cookie: 'omt_session=' + 'a'.repeat(64) } },
      { name: 'sales', as: sales },
      { name: 'ops', as: await api.loginAs('ops') },
      { name: 'agent of A', as: agentA },
    ];
  }, 60_000);
  afterAll(async () => api?.close());

  /** Every row of every table of the operations database, minus what reading and refusing may touch. */
  async function snapshot(): Promise<string> {
    const prisma = api.context.get(PrismaService, { strict: false });
    const tables = await prisma.$queryRaw<{ name: string }[]>(
      Prisma.sql`SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('_prisma_migrations', 'AuditEvent', 'Session', 'ApiKey') ORDER BY 1`,
    );
    const parts: string[] = [];
    for (const { name } of tables) {
      const rows = await prisma.$queryRawUnsafe<{ row: string }[]>(
        `SELECT t::text AS row FROM "${name.replace(/"/g, '""')}" t ORDER BY 1`,
      );
      parts.push(`${name}: ${rows.map((r) => r.row).join('\n')}`);
    }
    return parts.join('\n\n');
  }

  function requestsFor(seed: number) {
    const pick = prng(seed);
    const requests: {
      method: string;
      path: string;
      as: Credential;
      who: string;
      body?: string;
      contentType: string;
    }[] = [];
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const hasBody = Boolean(operation.requestBody) || ['post', 'put', 'patch'].includes(method);
        for (let i = 0; i < 8; i++) {
          const credential = pick(credentials);
          // A path parameter is either someone else's ticket (for a caller who may not touch it) or hostile text.
          const path = template.replace(/\{(\w+)\}/g, () =>
            encodeURIComponent(credential.name === 'agent of A' && i % 2 === 0 ? ticketB : pick(HOSTILE_STRINGS)),
          );
          const query =
            i % 3 === 0
              ? `?limit=${encodeURIComponent(pick(HOSTILE_STRINGS))}&state=${encodeURIComponent(pick(HOSTILE_STRINGS))}`
              : '';
          requests.push({
            method: method.toUpperCase(),
            path: path + query,
            as: credential.as,
            who: credential.name,
            body: hasBody ? pick(HOSTILE_BODIES) : undefined,
            contentType: pick([
              'application/json',
              'application/json',
              'text/plain',
              'application/gzip',
              'application/x-www-form-urlencoded',
            ]),
          });
        }
      }
    }
    return requests;
  }

  it('answers every one with a 4xx error envelope and changes nothing', async () => {
    const before = await snapshot();
    const requests = requestsFor(20261121);
    expect(requests.length).toBeGreaterThan(100);
    const serverErrors: string[] = [];
    const withoutEnvelope: string[] = [];
    for (const request of requests) {
      const headers: Record<string, string> = { 'content-type': request.contentType };
      if (request.as && 'bearer' in request.as) headers.authorization = `Bearer ${request.as.bearer}`;
      if (request.as && 'cookie' in request.as) headers.cookie = request.as.cookie;
      const response = await fetch(`${api.url}${request.path}`, {
        method: request.method,
        headers,
        body: request.body,
      });
      const text = await response.text();
      const what = `${request.method} ${request.path.slice(0, 120)} as ${request.who}: ${response.status} ${text.slice(0, 200)}`;
      if (response.status >= 500) serverErrors.push(what);
      // A HEAD answer has no body by definition; every other refusal carries the error envelope.
      else if (response.status >= 400 && request.method !== 'HEAD' && !hasEnvelope(text)) withoutEnvelope.push(what);
    }
    expect(serverErrors).toEqual([]);
    expect(withoutEnvelope).toEqual([]);
    expect(await snapshot()).toBe(before);
    // The tickets are where they were. (A fresh login: the run's POST /api/auth/logout as ops ended that session, as it should.)
    const ops = await api.loginAs('ops');
    for (const id of [ticketA, ticketB])
      expect((await api.call('GET', `/api/tickets/${id}`, { as: ops })).body.state).toMatch(/created|enrolled/);
  }, 240_000);
});

// ---------------------------------------------------------------------------
// Upload ids are ids, never paths (issue #15). Raw HTTP (node:http sends the
// path byte for byte: no client normalises `..`, `%2F` or `%5C`), against
// every upload route, by an agent whose own ticket is uploading too. Each
// attempt must be a 404, record no ledger row, and leave every file in the
// blob store (the victim's upload and batch above all) exactly as it was.
// ---------------------------------------------------------------------------
describe('upload ids that are paths or other tickets’ ids', () => {
  let api: TestApi;
  let archives: string;
  let attacker: { ticketId: string; agent: Credential & { bearer: string } };
  let victim: { ticketId: string; agent: Credential & { bearer: string } };
  let victimUpload: string;
  let ownUpload: string;

  /** One request exactly as written; resolves with status and body text. */
  function raw(
    method: string,
    requestPath: string,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<{ status: number; text: string; location?: string }> {
    const url = new URL(api.url);
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        { host: url.hostname, port: url.port, method, path: requestPath, headers, agent: false },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode!,
              text: Buffer.concat(chunks).toString(),
              location: response.headers.location,
            }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  const tusHeaders = (token: string, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${token}`,
    'tus-resumable': '1.0.0',
    ...extra,
  });

  /** A whole document upload (POST, then one PATCH): its upload id. */
  async function uploadDocument(token: string, documentId: number, data: Buffer): Promise<string> {
    const metadata = {
      documentId: String(documentId),
      relativePath: `ua/${documentId}.doc`,
      sha256: createHash('sha256').update(data).digest('hex'),
      bytes: String(data.length),
    };
    const created = await raw(
      'POST',
      '/api/agent/documents',
      tusHeaders(token, {
        'upload-length': String(data.length),
        'upload-metadata': Object.entries(metadata)
          .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
          .join(','),
      }),
    );
    expect(created.status).toBe(201);
    const id = created.location!.split('/').pop()!;
    const written = await raw(
      'PATCH',
      `/api/agent/documents/${id}`,
      tusHeaders(token, { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }),
      data,
    );
    expect(written.status).toBe(204);
    return id;
  }

  /** Every file under the blob directory with its size and sha256 (no claims from atime). */
  async function blobFiles(): Promise<Record<string, string>> {
    const entries = await readdir(api.config.blobDir, { recursive: true, withFileTypes: true });
    const files: Record<string, string> = {};
    for (const entry of entries.filter((e) => e.isFile())) {
      const file = path.join(entry.parentPath, entry.name);
      const data = await readFile(file);
      files[path.relative(api.config.blobDir, file)] =
        `${data.length} ${createHash('sha256').update(data).digest('hex')}`;
    }
    return files;
  }

  /** The upload ledgers, row by row, read straight from PostgreSQL. */
  async function ledgers(): Promise<string> {
    const rows = await queryDatabase(
      api.database.url,
      `SELECT 'document ' || t::text AS row FROM "DocumentUpload" t UNION ALL SELECT 'batch ' || t::text FROM "BatchUpload" t ORDER BY 1`,
    );
    return rows.map((r) => r.row as string).join('\n');
  }

  beforeAll(async () => {
    archives = await mkdtemp(path.join(os.tmpdir(), 'omt-traversal-archives-'));
    api = await startTestApi('bad-input-ids', { env: { OMT_TENANT_ARCHIVE_DIR: archives } });
    const sales = await api.createSalesKey();
    attacker = await enrolledTicket(api, sales);
    victim = await enrolledTicket(api, sales);
    for (const side of [attacker, victim]) await startedUpload(api, side.agent, { contact: 1 });
    expect((await putBatch(api, victim.agent, 'contact', 0, copyText(1, 2))).status).toBe(200);
    victimUpload = await uploadDocument(victim.agent.bearer, 1, Buffer.from('the victim’s contract, confidential'));
    ownUpload = await uploadDocument(attacker.agent.bearer, 1, Buffer.from('the attacker’s own document'));
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await rm(archives, { recursive: true, force: true });
  });

  async function hostileIds(): Promise<string[]> {
    const [batch] = await queryDatabase(api.database.url, 'SELECT "blobKey" FROM "BatchUpload" WHERE "ticketId" = $1', [
      victim.ticketId,
    ]);
    const batchKey = batch!.blobKey as string;
    const own = attacker.ticketId;
    return [
      victimUpload, // another ticket's well-formed id
      encodeURIComponent(victimUpload),
      `${own}.%2F..%2F${victimUpload}`, // the reported one: own prefix, then out and into the victim's
      `${own}.%2F..%2F..%2Ftus%2F${victimUpload}`,
      `${own}.%5C..%5C${victimUpload}`,
      `${own}.%2e%2e%2f${victimUpload}`,
      `${own}.%252F..%252F${victimUpload}`,
      `${own}.%2F..%2F..%2F${batchKey.replace(/\//g, '%2F')}`,
      `..%2F${batchKey.replace(/\//g, '%2F')}`,
      `${own}./../${victimUpload}`,
      `${own}.\\..\\${victimUpload}`,
      `${ownUpload}%2F..%2F${victimUpload}`,
      `${ownUpload}.json`,
      `${ownUpload}%00`,
      `${own}.${'0'.repeat(32)}?x=/${victimUpload}`, // tus once read the id from the whole URL, query included
      `${own}.${'0'.repeat(32)}/..%2F${victimUpload}`,
      ownUpload.toUpperCase(),
      '..',
      '%2E%2E',
    ];
  }
  it('answers 404 on every document route, reads, writes and records nothing', async () => {
    const before = { files: await blobFiles(), ledgers: await ledgers() };
    expect(Object.keys(before.files)).toEqual(
      expect.arrayContaining([path.join('tus', victimUpload), path.join('tus', `${victimUpload}.json`)]),
    );
    const token = attacker.agent.bearer;
    const refusedWrongly: string[] = [];
    for (const id of await hostileIds()) {
      const target = `/api/agent/documents/${id}`;
      const attempts: [string, Record<string, string>, Buffer?][] = [
        ['HEAD', tusHeaders(token)],
        [
          'PATCH',
          tusHeaders(token, { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }),
          Buffer.from('overwritten'),
        ],
        ['DELETE', tusHeaders(token)],
        ['GET', tusHeaders(token)],
        ['POST', tusHeaders(token, { 'upload-length': '4' })],
      ];
      for (const [method, headers, body] of attempts) {
        const answer = await raw(method, target, headers, body);
        if (answer.status !== 404 || (method !== 'HEAD' && !hasEnvelope(answer.text)))
          refusedWrongly.push(`${method} ${target}: ${answer.status} ${answer.text.slice(0, 160)}`);
      }
    }
    expect(refusedWrongly).toEqual([]);
    expect(await ledgers()).toBe(before.ledgers);
    expect(await blobFiles()).toEqual(before.files);
    // The victim's upload is still the victim's, whole: its own agent sees it finished.
    const own = await raw('HEAD', `/api/agent/documents/${victimUpload}`, tusHeaders(victim.agent.bearer));
    expect(own.status).toBe(200);
  });

  it('refuses table and sequence segments that are paths on the batch routes, nothing stored', async () => {
    const before = { files: await blobFiles(), ledgers: await ledgers() };
    const segments = [
      `..%2F..%2Ftickets%2F${victim.ticketId}`,
      `..%5C..%5C${victim.ticketId}`,
      '..',
      '%2E%2E',
      `contact%2F..%2F..%2F..%2Ftus%2F${victimUpload}`,
    ];
    const wrong: string[] = [];
    for (const segment of segments) {
      for (const [method, target] of [
        ['PUT', `/api/agent/tables/${segment}/batches/0`],
        ['PUT', `/api/agent/tables/contact/batches/${segment}`],
        ['PUT', `/api/agent/tables/${segment}`],
        ['POST', `/api/agent/tables/${segment}/complete`],
      ] as const) {
        const body = gzipSync(copyText(1, 2));
        const answer = await raw(
          method,
          target,
          {
            authorization: `Bearer ${attacker.agent.bearer}`,
            'content-type': target.includes('/batches/') ? BATCH_CONTENT_TYPE : 'application/json',
            [BATCH_HEADERS.gzipSha256]: createHash('sha256').update(body).digest('hex'),
            [BATCH_HEADERS.sha256]: createHash('sha256').update(copyText(1, 2)).digest('hex'),
            [BATCH_HEADERS.rows]: '1',
            [BATCH_HEADERS.bytes]: String(copyText(1, 2).length),
          },
          target.includes('/batches/') ? body : Buffer.from('{}'),
        );
        // Table names are data (hashed into keys, never joined): a refusal names the reason, never a 5xx or a 2xx.
        if (answer.status < 400 || answer.status >= 500 || !hasEnvelope(answer.text))
          wrong.push(`${method} ${target}: ${answer.status} ${answer.text.slice(0, 160)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await ledgers()).toBe(before.ledgers);
    expect(await blobFiles()).toEqual(before.files);
  });
});

/**
 * Cross-site request forgery (issue 15): every change the session cookie
 * can make, and login, sent as a foreign page would send it (another
 * Origin, a form or text/plain body), is refused before it does anything.
 */
describe('hostile requests: cross-site and form-encoded cookie requests', () => {
  let api: TestApi;
  let ticketId: string;
  let operations: { method: string; path: string }[];

  beforeAll(async () => {
    api = await startTestApi('bad-input-csrf');
    const document = (await (await fetch(`${api.url}/api/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>>;
    };
    const created = await api.createTicket(await api.createSalesKey());
    ticketId = created.ticket.id;
    await api.enroll(created.enrollmentCode);
    // Every cookie-authenticated change the API documents (a new one is covered the day it appears), and login.
    operations = Object.entries(document.paths).flatMap(([template, methods]) =>
      Object.entries(methods)
        .filter(([method, operation]) => {
          const cookie = operation.security?.some((scheme) => 'omt_session' in scheme) ?? false;
          return !['get', 'head', 'options'].includes(method) && (cookie || template === '/api/auth/login');
        })
        .map(([method]) => ({
          method: method.toUpperCase(),
          path: template.replace('{id}', ticketId).replace(/\{\w+\}/g, 'x'),
        })),
    );
  }, 60_000);
  afterAll(async () => api?.close());

  async function rows(): Promise<string> {
    const prisma = api.context.get(PrismaService, { strict: false });
    const found = await prisma.$queryRaw<{ row: string }[]>(
      Prisma.sql`SELECT concat_ws(' | ', (SELECT json_agg(t ORDER BY t.id) FROM "Ticket" t), (SELECT json_agg(e ORDER BY e.id) FROM "EnrollmentCode" e), (SELECT json_agg(a ORDER BY a.id) FROM "AgentToken" a), (SELECT json_agg(s.id ORDER BY s.id) FROM "Session" s), (SELECT count(*) FROM "AuditEvent")) AS row`,
    );
    return found[0]!.row;
  }

  it('answers 403 CROSS_ORIGIN_REFUSED or 415 UNSUPPORTED_MEDIA_TYPE and changes nothing', async () => {
    const ops = await api.createUser('ops');
    const login = await api.call('POST', '/api/auth/login', { body: ops });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    expect(operations.map((o) => o.path)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/auth/logout', `/api/tickets/${ticketId}/cancel`]),
    );
    const before = await rows();
    const json = JSON.stringify({ reason: 'forged', ...ops });
    const forgeries: { name: string; headers: Record<string, string>; body?: string; expect: [number, string] }[] = [
      {
        name: 'another origin',
        headers: { origin: 'https://evil.example.com', 'content-type': 'application/json' },
        body: json,
        expect: [403, 'CROSS_ORIGIN_REFUSED'],
      },
      { name: 'null origin', headers: { origin: 'null' }, expect: [403, 'CROSS_ORIGIN_REFUSED'] },
      {
        name: 'Sec-Fetch-Site: cross-site',
        headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
        body: json,
        expect: [403, 'CROSS_ORIGIN_REFUSED'],
      },
      {
        name: 'a form',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ reason: 'forged', ...ops }).toString(),
        expect: [415, 'UNSUPPORTED_MEDIA_TYPE'],
      },
      {
        name: 'text/plain',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: api.url },
        body: json,
        expect: [415, 'UNSUPPORTED_MEDIA_TYPE'],
      },
    ];
    const unexpected: string[] = [];
    for (const operation of operations) {
      for (const forgery of forgeries) {
        const response = await fetch(`${api.url}${operation.path}`, {
          method: operation.method,
          headers: { cookie, ...forgery.headers },
          body: forgery.body,
        });
        const text = await response.text();
        const code = hasEnvelope(text) ? (JSON.parse(text) as { code: string }).code : text.slice(0, 80);
        if (
          response.status !== forgery.expect[0] ||
          code !== forgery.expect[1] ||
          response.headers.getSetCookie().length
        ) {
          unexpected.push(`${operation.method} ${operation.path} with ${forgery.name}: ${response.status} ${code}`);
        }
      }
    }
    expect(unexpected).toEqual([]);
    expect(await rows()).toBe(before);
    expect((await api.call('GET', '/api/auth/me', { as: { cookie } })).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------
// Retention and the custody audit (#15): only ops users' real reads of a real
// ticket's page are audited; refused reads leave no audit row and read nothing.
describe('custody audit: refused reads of the ticket page', () => {
  let api: TestApi;
  afterAll(async () => api?.close());

  it('writes no ticket.detailViewed for an agent, a sales key, a malformed or an unknown id', async () => {
    api = await startTestApi('bad-input-custody');
    const sales = await api.createSalesKey();
    const created = await api.createTicket(sales);
    const agent = await api.enroll(created.enrollmentCode);
    const ops = await api.loginAs('ops');
    const id = created.ticket.id;
    const refused: [string, Credential, number][] = [
      [`/api/tickets/${id}/detail`, agent, 403],
      [`/api/tickets/${id}/detail`, sales, 403],
      [`/api/tickets/${id}/detail`, null, 401],
      [`/api/tickets/${encodeURIComponent(`${id}/../${id}`)}/detail`, ops, 400],
      [`/api/tickets/${encodeURIComponent("' OR 1=1 --")}/detail`, ops, 400],
      [`/api/tickets/00000000-0000-4000-8000-000000000000/detail`, ops, 404],
    ];
    for (const [path, as, status] of refused) {
      const answer = await api.call('GET', path, { as });
      expect({ path, status: answer.status, code: typeof answer.body?.code }).toEqual({ path, status, code: 'string' });
    }
    const prisma = api.context.get(PrismaService, { strict: false });
    expect(await prisma.auditEvent.count({ where: { action: 'ticket.detailViewed' } })).toBe(0);
    // The one real read is recorded.
    expect((await api.call('GET', `/api/tickets/${id}/detail`, { as: ops })).status).toBe(200);
    expect(await prisma.auditEvent.count({ where: { action: 'ticket.detailViewed', ticketId: id } })).toBe(1);
  }, 60_000);
});

// ---------------------------------------------------------------------------
// Names PostgreSQL cannot hold apart (issue #15): refused with NAME_COLLISION
// before anything is stored, never a half-created tenant.

describe('table and column names PostgreSQL cannot hold apart', () => {
  let api: TestApi;
  let sales: Credential;
  beforeAll(async () => {
    api = await startTestApi('bad-input-names');
    sales = await api.createSalesKey();
  });
  afterAll(async () => api.close());

  /** A ticket whose agent has sent checks and plan: the next step is the upload start. */
  async function readyAgent(): Promise<{ ticketId: string; agent: Credential }> {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    for (const [path, body] of [
      ['/api/agent/checks', passedChecks],
      ['/api/agent/plan', validPlan()],
    ] as const) {
      const answer = await api.call('PUT', path, { as: agent, body });
      if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return { ticketId, agent };
  }
  const tablesOf = async (ticketId: string) =>
    (await api.context.get(PrismaService, { strict: false }).tableUpload.findMany({ where: { ticketId } })).map((t) => [
      t.name,
      t.schema,
    ]);

  it.each([
    ['a long name and the 63-byte name it maps to', 'x'.repeat(128), tenantIdentifier('x'.repeat(128))],
    ['multibyte names whose mapped names meet', '😀'.repeat(64), tenantIdentifier('😀'.repeat(64))],
    [
      'quotes inside a long name',
      `"; DROP TABLE "Ticket"; --${'q'.repeat(100)}`,
      tenantIdentifier(`"; DROP TABLE "Ticket"; --${'q'.repeat(100)}`),
    ],
  ])('refuses an upload start with %s (422, both named, nothing stored)', async (_what, first, second) => {
    const { ticketId, agent } = await readyAgent();
    const answer = await api.call('POST', '/api/agent/upload', {
      as: agent,
      body: startRequest({ [first]: 1, [second]: 1 }),
    });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: 'NAME_COLLISION' });
    expect(answer.body.message).toContain(first);
    expect(answer.body.message).toContain(second);
    expect((await api.call('GET', '/api/agent/session', { as: agent })).body).toMatchObject({
      ticket: { state: 'ready' },
    });
    expect(await tablesOf(ticketId)).toEqual([]);
  });

  it('refuses a schema whose generated key name is another table, and one whose columns clash', async () => {
    const { ticketId, agent } = await readyAgent();
    expect(
      (await api.call('POST', '/api/agent/upload', { as: agent, body: startRequest({ t: 1, t_pkey: 1, w: 1 }) }))
        .status,
    ).toBe(200);
    const keyed = await api.call('PUT', tablePath('t'), { as: agent, body: tableSchema('t') });
    expect(keyed).toMatchObject({ status: 422, body: { code: 'NAME_COLLISION' } });
    const long = 'c'.repeat(128);
    const wide = {
      name: 'w',
      columns: [
        { name: long, type: { kind: 'int32' }, nullable: false },
        { name: tenantIdentifier(long), type: { kind: 'int32' }, nullable: false },
      ],
      primaryKey: [],
    };
    expect(await api.call('PUT', tablePath('w'), { as: agent, body: wide })).toMatchObject({
      status: 422,
      body: { code: 'NAME_COLLISION' },
    });
    expect((await tablesOf(ticketId)).sort()).toEqual([
      ['t', null],
      ['t_pkey', null],
      ['w', null],
    ]);
  });
});

// ---------------------------------------------------------------------------
// Ticket lease and ended agent access (issue #15: one agent per ticket; cancel and completion end access).

describe('hostile requests: ticket leases and ended agent access', () => {
  let api: TestApi;
  let ops: Credential & { cookie: string };
  let sales: Credential & { bearer: string };
  beforeAll(async () => {
    api = await startTestApi('bad-input-lease', { env: { OMT_AGENT_LEASE_SECONDS: '30' } });
    sales = await api.createSalesKey();
    ops = await api.loginAs('ops');
  });
  afterAll(async () => api.close());

  const enrolled = async () => {
    const created = await api.createTicket(sales);
    return { ticketId: created.ticket.id, agent: await api.enroll(created.enrollmentCode) };
  };
  const takeLease = (agent: Credential, body: unknown) => api.call('POST', '/api/agent/lease', { as: agent, body });
  const releaseLease = async (agent: Credential & { bearer: string }, leaseId?: string) => {
    const headers: Record<string, string> = { authorization: `Bearer ${agent.bearer}` };
    if (leaseId !== undefined) headers['x-omt-lease'] = leaseId;
    const response = await fetch(`${api.url}/api/agent/lease`, { method: 'DELETE', headers });
    return {
      status: response.status,
      body: response.status === 204 ? null : ((await response.json()) as { code: string }),
    };
  };
  /** A guarded upload route without a lease id: 200 while nobody holds the lease, 409 TICKET_LEASED while someone does. */
  const unleasedChecks = async (agent: Credential) =>
    (await api.call('PUT', '/api/agent/checks', { as: agent, body: { results: [], blocked: false } })).status;

  it.each([
    ['no host', { pid: 1 }],
    ['an empty host', { host: '  ', pid: 1 }],
    ['a host with a line break', { host: 'pc\r\nX-Injected: 1', pid: 1 }],
    ['a host of 300 characters', { host: 'h'.repeat(300), pid: 1 }],
    ['a pid of 0', { host: 'pc', pid: 0 }],
    ['a pid as text', { host: 'pc', pid: '12' }],
    ['a fractional pid', { host: 'pc', pid: 1.5 }],
    ['a pid past 2^31', { host: 'pc', pid: 2 ** 40 }],
    ['a lease id that is a path', { leaseId: '../../lease:ticket:x', host: 'pc', pid: 1 }],
    ['a lease id in upper case', { leaseId: 'A'.repeat(32), host: 'pc', pid: 1 }],
    ['an unknown field', { host: 'pc', pid: 1, ttl: 999999 }],
    ['an array', []],
  ])('refuses a lease request with %s: 400 naming the field, and no lease taken', async (_, body) => {
    const { agent } = await enrolled();
    const answer = await takeLease(agent, body);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(answer.body.details.length).toBeGreaterThan(0);
    expect(await unleasedChecks(agent)).toBe(200);
  });

  it("refuses a release without a well-formed lease id, and never releases another ticket's lease", async () => {
    const a = await enrolled();
    const b = await enrolled();
    expect((await releaseLease(a.agent)).body?.code).toBe('VALIDATION_FAILED');
    expect((await releaseLease(a.agent, '../*')).body?.code).toBe('VALIDATION_FAILED');
    const held = await takeLease(b.agent, { host: 'pc-b', pid: 2 });
    expect(held.status).toBe(200);
    // A's token with B's lease id: answered like any lease A does not hold, and B's lease stays.
    expect((await releaseLease(a.agent, held.body.leaseId)).status).toBe(204);
    expect(await unleasedChecks(b.agent)).toBe(409);
    // Nor does B's id open B's ticket to A, or A's upload routes to B's id.
    expect((await takeLease(a.agent, { leaseId: held.body.leaseId, host: 'pc-a', pid: 3 })).status).toBe(200);
    expect(await unleasedChecks(b.agent)).toBe(409);
  });

  it('admits only agent tokens to the lease', async () => {
    expect((await takeLease(sales, { host: 'pc', pid: 1 })).status).toBe(403);
    expect((await takeLease(ops, { host: 'pc', pid: 1 })).status).toBe(403);
    expect((await takeLease(null, { host: 'pc', pid: 1 })).status).toBe(401);
    expect((await takeLease({ bearer: 'omt_at_forged' }, { host: 'pc', pid: 1 })).body.code).toBe('UNAUTHENTICATED');
  });

  it("refuses a cancelled ticket's token everywhere with 401 AGENT_ACCESS_ENDED, the lease included", async () => {
    const { ticketId, agent } = await enrolled();
    expect((await takeLease(agent, { host: 'pc', pid: 1 })).status).toBe(200);
    expect(
      (await api.call('POST', `/api/tickets/${ticketId}/cancel`, { as: ops, body: { reason: 'wrong customer' } }))
        .status,
    ).toBe(200);
    for (const [method, path] of [
      ['POST', '/api/agent/lease'],
      ['GET', '/api/agent/session'],
      ['PUT', '/api/agent/checks'],
      ['GET', `/api/tickets/${ticketId}`],
    ] as const) {
      const answer = await api.call(method, path, {
        as: agent,
        body: method === 'GET' ? undefined : { host: 'pc', pid: 1 },
      });
      expect([path, answer.status, answer.body.code]).toEqual([path, 401, 'AGENT_ACCESS_ENDED']);
    }
  });
});
