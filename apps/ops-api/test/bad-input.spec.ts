import { Prisma } from '../src/generated/prisma/client';
import { PrismaService } from '../src/prisma/prisma.service';
import type { Credential } from './support/auth-helpers';
import { startTestApi, type TestApi } from './support/test-api';

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
