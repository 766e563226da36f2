import { enrollResponseSchema } from '@omt/contracts';
import { startTestApi, type TestApi } from './support/test-api';

/**
 * Rate limits must stop whoever guesses, not the person who knows the
 * secret. Clients are told apart the way a load balancer tells the API:
 * X-Forwarded-For, believed from loopback (OMT_TRUST_PROXY=loopback).
 */
describe('rate limits per client', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('rate-limits', { env: { OMT_TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => api.close());

  async function post(path: string, client: string, body: unknown) {
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  it('a wrong-password burst from one client locks that client out of the account, not its owner elsewhere', async () => {
    const user = await api.createUser('ops');
    const attacker = '203.0.113.7';
    const owner = '198.51.100.20';
    for (let attempt = 0; attempt < 10; attempt++) {
      const wrong = await post('/api/auth/login', attacker, { email: user.email, password: `guess ${attempt}` });
      expect(wrong.status).toBe(401);
    }
    const locked = await post('/api/auth/login', attacker, user);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);

    // The owner, from another address, gets in: slowed down (the account is being guessed), never refused.
    const started = Date.now();
    const fromOwner = await post('/api/auth/login', owner, { ...user, email: user.email.toUpperCase() });
    const waited = Date.now() - started;
    expect(fromOwner.status).toBe(200);
    expect(waited).toBeGreaterThanOrEqual(3000);
    expect(waited).toBeLessThan(10_000);
    const cookie = fromOwner.headers
      .getSetCookie()
      .find((c) => c.startsWith('omt_session='))!
      .split(';')[0]!;
    expect((await api.call('GET', '/api/auth/me', { as: { cookie } })).body.name).toBe(user.email);

    // The attacker is still locked out of that account, even with the right password.
    expect((await post('/api/auth/login', attacker, user)).status).toBe(429);
  }, 60_000);

  it('a client trying many accounts is locked out of all of them after 50 failures; other clients are not', async () => {
    const user = await api.createUser('ops');
    const sprayer = '203.0.113.50';
    for (let attempt = 0; attempt < 50; attempt++) {
      const wrong = await post('/api/auth/login', sprayer, {
        email: `spray${attempt}@example.com`,
        password: 'Summer2026!',
      });
      expect(wrong.status).toBe(401);
    }
    const locked = await post('/api/auth/login', sprayer, user);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post('/api/auth/login', '198.51.100.21', user)).status).toBe(200);
  }, 60_000);

  it('a valid enrollment code passes after 10 bad ones from the same address; bad ones get 429', async () => {
    const created = await api.createTicket(await api.createSalesKey());
    const migrator = '192.0.2.33';
    for (let attempt = 0; attempt < 10; attempt++) {
      const bad = await post('/api/agent/enroll', migrator, { code: `BAD0-CODE-${String(attempt).padStart(4, '0')}` });
      expect(bad.status).toBe(401);
      expect(bad.body.code).toBe('ENROLLMENT_CODE_INVALID');
    }
    const stillBad = await post('/api/agent/enroll', migrator, { code: 'BAD0-CODE-9999' });
    expect(stillBad.status).toBe(429);
    expect(stillBad.body.code).toBe('RATE_LIMITED');
    expect(Number(stillBad.headers.get('retry-after'))).toBeGreaterThan(0);

    const good = await post('/api/agent/enroll', migrator, { code: created.enrollmentCode });
    expect(good.status).toBe(200);
    const { agentToken } = enrollResponseSchema.parse(good.body);
    expect((await api.call('GET', `/api/tickets/${created.ticket.id}`, { as: { bearer: agentToken } })).status).toBe(
      200,
    );

    // The code is spent now: using it again is a failure like any other.
    expect((await post('/api/agent/enroll', migrator, { code: created.enrollmentCode })).status).toBe(429);
    expect((await post('/api/agent/enroll', '192.0.2.34', { code: created.enrollmentCode })).status).toBe(401);
  });
});
