import { io, type Socket } from 'socket.io-client';
import { queryDatabase } from '../../../test/support/databases';
import { startTestApi, type TestApi } from './support/test-api';
import { ticketRequest, type Credential } from './support/auth-helpers';

/**
 * Cross-site request forgery, as a browser would carry it out: the session
 * cookie rides along, the page chooses Origin (by being where it is) and the
 * body type (a form or text/plain needs no CORS preflight). Every cookie
 * action is tried from another origin and with form and text bodies; the
 * operations database must show nothing changed.
 */
const EVIL = 'https://evil.example.com';

interface Forged {
  cookie?: string;
  origin?: string;
  secFetchSite?: string;
  contentType?: string;
  body?: string;
  forwardedProto?: string;
}

async function send(api: TestApi, method: string, path: string, request: Forged) {
  const headers: Record<string, string> = {};
  if (request.cookie) headers.cookie = request.cookie;
  if (request.origin) headers.origin = request.origin;
  if (request.secFetchSite) headers['sec-fetch-site'] = request.secFetchSite;
  if (request.contentType) headers['content-type'] = request.contentType;
  if (request.forwardedProto) headers['x-forwarded-proto'] = request.forwardedProto;
  const response = await fetch(`${api.url}${path}`, { method, headers, body: request.body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** What any of the actions would change: the ticket's state, its codes and tokens, sessions, the audit trail. */
async function fingerprint(api: TestApi, ticketId: string): Promise<unknown> {
  return queryDatabase(
    api.database.url,
    `SELECT t.state,
            (SELECT json_agg(json_build_object('id', e.id, 'revoked', e."revokedAt") ORDER BY e.id) FROM "EnrollmentCode" e WHERE e."ticketId" = t.id) AS codes,
            (SELECT json_agg(json_build_object('id', a.id, 'revoked', a."revokedAt") ORDER BY a.id) FROM "AgentToken" a WHERE a."ticketId" = t.id) AS tokens,
            (SELECT count(*) FROM "Session") AS sessions,
            (SELECT count(*) FROM "AuditEvent") AS events
       FROM "Ticket" t WHERE t.id = $1`,
    [ticketId],
  );
}

function connectOps(url: string, headers: Record<string, string>): Socket {
  return io(`${url}/ops`, { transports: ['websocket'], reconnection: false, extraHeaders: headers });
}

/** Resolves with 'connected' or the server's refusal message. */
function outcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error) => resolve(error.message));
  });
}

describe('cookie-authenticated actions from other origins', () => {
  let api: TestApi;
  let sales: Credential & { bearer: string };
  let ops: Credential & { cookie: string };
  let ticketId: string;
  const sockets: Socket[] = [];
  const actions = () => [
    ['POST', `/api/tickets/${ticketId}/cancel`],
    ['POST', `/api/tickets/${ticketId}/reset`],
    ['POST', `/api/tickets/${ticketId}/enrollment-code`],
    ['POST', `/api/tickets/${ticketId}/failures/import.batchReceived:nope/retry`],
    ['POST', '/api/auth/logout'],
  ];

  beforeAll(async () => {
    api = await startTestApi('cross-site');
    sales = await api.createSalesKey();
    ops = await api.loginAs('ops');
    const created = await api.createTicket(sales);
    ticketId = created.ticket.id;
    await api.enroll(created.enrollmentCode);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await api.close();
  });

  it('refuses each action from another origin with 403 CROSS_ORIGIN_REFUSED and changes nothing', async () => {
    const before = await fingerprint(api, ticketId);
    const json = { contentType: 'application/json', body: JSON.stringify({ reason: 'forged' }) };
    for (const [method, path] of actions()) {
      for (const forged of [
        { ...json, origin: EVIL },
        { ...json, origin: 'null' }, // a sandboxed frame or a redirect
        { origin: EVIL }, // no body at all
        { ...json, secFetchSite: 'cross-site' }, // a browser that sends no Origin
        { ...json, secFetchSite: 'same-site' }, // a sibling subdomain: SameSite=Lax lets the cookie through
      ]) {
        const answer = await send(api, method!, path!, { cookie: ops.cookie, ...forged });
        expect({ path, forged, status: answer.status, code: answer.body?.code }).toEqual({
          path,
          forged,
          status: 403,
          code: 'CROSS_ORIGIN_REFUSED',
        });
      }
    }
    expect(await fingerprint(api, ticketId)).toEqual(before);
    expect((await api.call('GET', '/api/auth/me', { as: ops })).status).toBe(200);
  });

  it('refuses form-encoded and text/plain bodies with 415 UNSUPPORTED_MEDIA_TYPE, even from the same origin', async () => {
    const before = await fingerprint(api, ticketId);
    for (const [method, path] of actions()) {
      for (const forged of [
        { contentType: 'application/x-www-form-urlencoded', body: 'reason=forged' },
        { contentType: 'text/plain', body: JSON.stringify({ reason: 'forged' }) },
        { contentType: 'multipart/form-data; boundary=x', body: '--x\r\n\r\nforged\r\n--x--\r\n' },
        { contentType: 'text/plain;charset=UTF-8', body: '{"reason":"forged"}', origin: api.url },
      ]) {
        const answer = await send(api, method!, path!, { cookie: ops.cookie, ...forged });
        expect({ path, type: forged.contentType, status: answer.status, code: answer.body?.code }).toEqual({
          path,
          type: forged.contentType,
          status: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
        });
      }
    }
    expect(await fingerprint(api, ticketId)).toEqual(before);
  });

  it('refuses a login from another origin or with a form body, and sets no cookie', async () => {
    const user = await api.createUser('ops');
    const sessions = await queryDatabase(api.database.url, 'SELECT count(*)::int AS n FROM "Session"');
    for (const forged of [
      { origin: EVIL, contentType: 'application/json', body: JSON.stringify(user) },
      { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(user).toString() },
      { contentType: 'text/plain', body: JSON.stringify(user) },
    ]) {
      const answer = await send(api, 'POST', '/api/auth/login', forged);
      expect([403, 415]).toContain(answer.status);
      expect(answer.body.code).toBe(answer.status === 403 ? 'CROSS_ORIGIN_REFUSED' : 'UNSUPPORTED_MEDIA_TYPE');
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
    expect(await queryDatabase(api.database.url, 'SELECT count(*)::int AS n FROM "Session"')).toEqual(sessions);
  });

  it('lets the dashboard act: JSON from its own origin, from OMT_DASHBOARD_ORIGIN, or with no Origin at all', async () => {
    const created = await api.createTicket(sales);
    const json = (reason: string) => ({ contentType: 'application/json', body: JSON.stringify({ reason }) });
    const own = await send(api, 'POST', `/api/tickets/${created.ticket.id}/enrollment-code`, {
      cookie: ops.cookie,
      origin: api.url,
      secFetchSite: 'same-origin',
      ...json('from the API-served dashboard'),
    });
    expect(own.status).toBe(200);
    const dev = await send(api, 'POST', `/api/tickets/${created.ticket.id}/enrollment-code`, {
      cookie: ops.cookie,
      origin: api.config.dashboardOrigins[0],
      ...json('from the dev server'),
    });
    expect(dev.status).toBe(200);
    // No reason and no Origin (a program, or an old browser): no body, no content type.
    const bare = await send(api, 'POST', `/api/tickets/${created.ticket.id}/cancel`, { cookie: ops.cookie });
    expect(bare.status).toBe(200);
    expect(bare.body.state).toBe('cancelled');
    const missingJob = await send(
      api,
      'POST',
      `/api/tickets/${created.ticket.id}/failures/import.batchReceived:nope/retry`,
      {
        cookie: ops.cookie,
        origin: api.url,
      },
    );
    expect(missingJob.status).toBe(404); // past the check, to the handler
    const trail = await api.call('GET', `/api/tickets/${created.ticket.id}/events`, { as: ops });
    const reasons = trail.body.items.map((e: { reason: string | null }) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['from the API-served dashboard', 'from the dev server']));
  });

  it('does not apply to bearer credentials, which a browser never sends on its own', async () => {
    const created = await fetch(`${api.url}/api/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sales.bearer}`, origin: EVIL, 'content-type': 'application/json' },
      body: JSON.stringify(ticketRequest()),
    });
    expect(created.status).toBe(201);
  });

  it('refuses an /ops socket handshake from another origin and admits the dashboard', async () => {
    const evil = connectOps(api.url, { cookie: ops.cookie, origin: EVIL });
    const nullOrigin = connectOps(api.url, { cookie: ops.cookie, origin: 'null' });
    const own = connectOps(api.url, { cookie: ops.cookie, origin: api.url });
    const dev = connectOps(api.url, { cookie: ops.cookie, origin: api.config.dashboardOrigins[0]! });
    const evilNoCookie = connectOps(api.url, { origin: EVIL });
    sockets.push(evil, nullOrigin, own, dev, evilNoCookie);
    expect(await Promise.all([evil, nullOrigin, own, dev, evilNoCookie].map(outcome))).toEqual([
      expect.stringMatching(/not the dashboard/),
      expect.stringMatching(/not the dashboard/),
      'connected',
      'connected',
      expect.stringMatching(/not the dashboard/),
    ]);
  });
});

describe('the Secure cookie and the own origin behind a TLS proxy', () => {
  let direct: TestApi;
  let proxied: TestApi;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    direct = await startTestApi('secure-direct');
    proxied = await startTestApi('secure-proxied', { env: { OMT_TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all([direct?.close(), proxied?.close()]);
  });

  const login = async (api: TestApi, request: Forged) => {
    const user = await api.createUser('ops');
    const answer = await send(api, 'POST', '/api/auth/login', {
      contentType: 'application/json',
      body: JSON.stringify(user),
      ...request,
    });
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('omt_session='));
    return { status: answer.status, code: answer.body?.code, cookie };
  };

  it('marks the cookie Secure when the trusted proxy says HTTPS, and not over plain HTTP', async () => {
    const httpsOrigin = proxied.url.replace('http:', 'https:');
    const overTls = await login(proxied, { forwardedProto: 'https', origin: httpsOrigin });
    expect(overTls.status).toBe(200);
    expect(overTls.cookie).toMatch(/;\s*Secure/i);

    const plain = await login(proxied, { origin: proxied.url });
    expect(plain.status).toBe(200);
    expect(plain.cookie).not.toMatch(/;\s*Secure/i);

    // The https page's Origin is the API's own origin only because the proxy's word is believed.
    const notBelieved = await login(direct, { forwardedProto: 'https', origin: direct.url.replace('http:', 'https:') });
    expect(notBelieved).toMatchObject({ status: 403, code: 'CROSS_ORIGIN_REFUSED', cookie: undefined });
    const untrustedProto = await login(direct, { forwardedProto: 'https' });
    expect(untrustedProto.status).toBe(200);
    expect(untrustedProto.cookie).not.toMatch(/;\s*Secure/i);
  });

  it('admits the /ops socket of the https page behind the trusted proxy', async () => {
    const user = await login(proxied, { forwardedProto: 'https', origin: proxied.url.replace('http:', 'https:') });
    const cookie = user.cookie!.split(';')[0]!;
    const httpsOrigin = proxied.url.replace('http:', 'https:');
    const behindProxy = connectOps(proxied.url, { cookie, origin: httpsOrigin, 'x-forwarded-proto': 'https' });
    const plainMismatch = connectOps(proxied.url, { cookie, origin: httpsOrigin });
    sockets.push(behindProxy, plainMismatch);
    expect(await Promise.all([behindProxy, plainMismatch].map(outcome))).toEqual([
      'connected',
      expect.stringMatching(/not the dashboard/),
    ]);
  });
});
