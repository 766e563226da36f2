import { enrollResponseSchema } from '@omt/contracts';
import { startTestApi, type TestApi } from './support/test-api';
import type { Credential } from './support/auth-helpers';
import { queryDatabase } from '../../../test/support/databases';

describe('enrollment and agent tokens', () => {
  let api: TestApi;
  let sales: Credential;
  let ops: Credential;
  beforeAll(async () => {
    api = await startTestApi('enrollment');
    sales = await api.createSalesKey();
    ops = await api.loginAs('ops');
  });
  afterAll(async () => api.close());

  it('exchanges a code for a token that opens its own ticket and refuses another', async () => {
    const a = await api.createTicket(sales);
    const b = await api.createTicket(sales);
    const answer = await api.call('POST', '/api/agent/enroll', { body: { code: a.enrollmentCode.toLowerCase() } });
    expect(answer.status).toBe(200);
    const enrolled = enrollResponseSchema.parse(answer.body);
    expect(enrolled.ticket).toMatchObject({ id: a.ticket.id, state: 'enrolled' });
    const agentA = { bearer: enrolled.agentToken };

    expect((await api.call('GET', `/api/tickets/${a.ticket.id}`, { as: agentA })).status).toBe(200);
    for (const path of [`/api/tickets/${b.ticket.id}`, `/api/tickets/${b.ticket.id}/events`]) {
      const refused = await api.call('GET', path, { as: agentA });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('FORBIDDEN');
    }
    expect((await api.call('GET', '/api/auth/me', { as: agentA })).body).toEqual({
      role: 'agent',
      name: `agent:${a.ticket.id}`,
      ticketId: a.ticket.id,
    });
  });

  it('stores codes and tokens only as hashes', async () => {
    const created = await api.createTicket(sales);
    const agent = await api.enroll(created.enrollmentCode);
    const dump = JSON.stringify(
      await queryDatabase(
        api.database.url,
        'SELECT * FROM "EnrollmentCode" UNION ALL SELECT id, "ticketId", "tokenHash", null, null, "revokedAt", "createdAt" FROM "AgentToken"',
      ),
    );
    expect(dump).not.toContain(created.enrollmentCode.replace(/-/g, ''));
    expect(dump).not.toContain(agent.bearer);
  });

  it('refuses a used code', async () => {
    const created = await api.createTicket(sales);
    await api.enroll(created.enrollmentCode);
    const again = await api.call('POST', '/api/agent/enroll', { body: { code: created.enrollmentCode } });
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ code: 'ENROLLMENT_CODE_INVALID', details: [{ path: 'code' }] });
  });

  it('refuses an expired code', async () => {
    const created = await api.createTicket(sales);
    await queryDatabase(
      api.database.url,
      `UPDATE "EnrollmentCode" SET "expiresAt" = now() - interval '1 second' WHERE "ticketId" = $1`,
      [created.ticket.id],
    );
    const answer = await api.call('POST', '/api/agent/enroll', { body: { code: created.enrollmentCode } });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('ENROLLMENT_CODE_INVALID');
  });

  it('a new code from ops revokes the old code and the old agent tokens', async () => {
    const created = await api.createTicket(sales);
    const oldAgent = await api.enroll(created.enrollmentCode);
    const spare = await api.call('POST', `/api/tickets/${created.ticket.id}/enrollment-code`, {
      as: ops,
      body: { reason: 'new laptop' },
    });
    expect(spare.status).toBe(200);
    const reissued = await api.call('POST', `/api/tickets/${created.ticket.id}/enrollment-code`, { as: ops });
    expect(reissued.status).toBe(200);

    const revokedCode = await api.call('POST', '/api/agent/enroll', { body: { code: spare.body.enrollmentCode } });
    expect(revokedCode.status).toBe(401);
    expect(revokedCode.body.code).toBe('ENROLLMENT_CODE_INVALID');
    expect((await api.call('GET', `/api/tickets/${created.ticket.id}`, { as: oldAgent })).status).toBe(401);

    const newAgent = await api.enroll(reissued.body.enrollmentCode);
    const ticket = await api.call('GET', `/api/tickets/${created.ticket.id}`, { as: newAgent });
    expect(ticket.body.state).toBe('enrolled'); // a second enrollment keeps the state

    const trail = await api.call('GET', `/api/tickets/${created.ticket.id}/events`, { as: ops });
    expect(trail.body.items.filter((e: { action: string }) => e.action === 'enrollment.codeIssued')).toHaveLength(2);
  });

  it('refuses a new code for a cancelled ticket, and the cancelled ticket’s code', async () => {
    const created = await api.createTicket(sales);
    expect((await api.call('POST', `/api/tickets/${created.ticket.id}/cancel`, { as: ops })).status).toBe(200);
    expect((await api.call('POST', '/api/agent/enroll', { body: { code: created.enrollmentCode } })).status).toBe(401);
    const answer = await api.call('POST', `/api/tickets/${created.ticket.id}/enrollment-code`, { as: ops });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('CONFLICT');
  });

  it('answers a malformed enrollment body with the envelope', async () => {
    for (const body of [{}, { code: 5 }, { code: 'ABCD-EFGH', extra: true }]) {
      const answer = await api.call('POST', '/api/agent/enroll', { body });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
      expect(answer.body.details.length).toBeGreaterThan(0);
    }
  });
});

describe('rate limit on enrollment', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('enroll-rate');
  });
  afterAll(async () => api.close());

  it('answers 429 with Retry-After to bad codes after repeated bad codes, and still takes a good code', async () => {
    const created = await api.createTicket(await api.createSalesKey());
    for (let attempt = 0; attempt < 10; attempt++) {
      const answer = await api.call('POST', '/api/agent/enroll', {
        body: { code: `BAD0-CODE-${String(attempt).padStart(4, '0')}` },
      });
      expect(answer.status).toBe(401);
    }
    const limited = await api.call('POST', '/api/agent/enroll', { body: { code: 'BAD0-CODE-9999' } });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Only failures count: the migrator's valid code is not turned away (rate-limits.spec has the per-client cases).
    expect((await api.call('POST', '/api/agent/enroll', { body: { code: created.enrollmentCode } })).status).toBe(200);
  });
});
