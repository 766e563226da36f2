import { io, type Socket } from 'socket.io-client';
import { startTestApi, type TestApi } from './support/test-api';
import type { Credential } from './support/auth-helpers';

function connect(url: string, namespace: string, options: { cookie?: string; token?: string }): Socket {
  return io(`${url}${namespace}`, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: options.cookie ? { cookie: options.cookie } : {},
    auth: options.token ? { token: options.token } : {},
  });
}

/** Resolves with 'connected' or the server's refusal message. */
function outcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (error) => resolve(error.message));
  });
}

describe('ops login, sessions, security headers, sockets', () => {
  let api: TestApi;
  const admin = { email: 'first.admin@example.com', password: 'a long enough admin password' };
  const sockets: Socket[] = [];
  beforeAll(async () => {
    api = await startTestApi('auth', { env: { OMT_ADMIN_EMAIL: admin.email, OMT_ADMIN_PASSWORD: admin.password } });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await api.close();
  });

  it('creates the first admin from the environment; login sets an httpOnly SameSite=Lax cookie', async () => {
    const answer = await api.call('POST', '/api/auth/login', {
      body: { email: admin.email.toUpperCase(), password: admin.password },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ role: 'admin', name: admin.email, ticketId: null });
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('omt_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    const as = { cookie: cookie.split(';')[0]! };
    expect((await api.call('GET', '/api/auth/me', { as })).body.role).toBe('admin');

    expect((await api.call('POST', '/api/auth/logout', { as })).status).toBe(204);
    const after = await api.call('GET', '/api/auth/me', { as });
    expect(after.status).toBe(401);
  });

  it('gives one answer for a wrong password and an unknown email', async () => {
    const user = await api.createUser('ops');
    const wrong = await api.call('POST', '/api/auth/login', {
      body: { email: user.email, password: 'not the password' },
    });
    const unknown = await api.call('POST', '/api/auth/login', {
      body: { email: 'nobody@example.com', password: 'whatever it is' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.code).toBe('LOGIN_FAILED');
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('rate-limits repeated failed logins with 429 and Retry-After', async () => {
    const user = await api.createUser('ops');
    for (let attempt = 0; attempt < 10; attempt++) {
      expect(
        (await api.call('POST', '/api/auth/login', { body: { email: user.email, password: `wrong ${attempt}` } }))
          .status,
      ).toBe(401);
    }
    const limited = await api.call('POST', '/api/auth/login', { body: user });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('sends security headers and allows CORS only for the dashboard origin', async () => {
    const dashboard = api.config.dashboardOrigins[0]!;
    const allowed = await fetch(`${api.url}/api/health`, { headers: { origin: dashboard } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(dashboard);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
    expect(allowed.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(allowed.headers.get('strict-transport-security')).toBeTruthy();
    expect(allowed.headers.get('x-powered-by')).toBeNull();
    const other = await fetch(`${api.url}/api/health`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example.com');
  });

  it('lets only ops sessions into /ops and only agent tokens into /agent, in the room of their ticket', async () => {
    const sales = await api.createSalesKey();
    const ops = (await api.loginAs('ops')) as Credential & { cookie: string };
    const created = await api.createTicket(sales);
    const agent = await api.enroll(created.enrollmentCode);

    const anonymousOps = connect(api.url, '/ops', {});
    const salesAgent = connect(api.url, '/agent', { token: sales.bearer });
    const badAgent = connect(api.url, '/agent', { token: 'omt_at_forged' });
    const opsSocket = connect(api.url, '/ops', { cookie: ops.cookie });
    const agentSocket = connect(api.url, '/agent', { token: agent.bearer });
    sockets.push(anonymousOps, salesAgent, badAgent, opsSocket, agentSocket);
    const outcomes = await Promise.all(sockets.map(outcome));

    expect(outcomes).toEqual([
      expect.stringMatching(/log in/i),
      expect.stringMatching(/only agent tokens/i),
      expect.stringMatching(/unknown or revoked/i),
      'connected',
      'connected',
    ]);

    const seenByOps = new Promise((resolve) => opsSocket.once('ticket.stateChanged', resolve));
    const seenByAgent = new Promise((resolve) => agentSocket.once('ticket.stateChanged', resolve));
    const command = new Promise((resolve) => agentSocket.once('command.issued', resolve));
    await api.call('POST', `/api/tickets/${created.ticket.id}/cancel`, { as: ops, body: { reason: 'customer asked' } });
    const expected = { ticketId: created.ticket.id, from: 'enrolled', to: 'cancelled', reason: 'customer asked' };
    expect(await seenByOps).toMatchObject(expected);
    expect(await seenByAgent).toMatchObject(expected);
    expect(await command).toEqual({ ticketId: created.ticket.id, command: 'cancel', reason: 'customer asked' });
  });
});
