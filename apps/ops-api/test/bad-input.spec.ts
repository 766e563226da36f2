import { Prisma } from '../src/generated/prisma/client';
import { PrismaService } from '../src/prisma/prisma.service';
import type { Credential } from './support/auth-helpers';
import { startTestApi, type TestApi } from './support/test-api';
import { tenantIdentifier } from '@omt/copy-text';
import {
  enrolledTicket,
  passedChecks,
  startRequest,
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
