import { io, type Socket } from 'socket.io-client';
import { LEASE_HEADER, ticketLeaseSchema, type ErrorEnvelope, type TicketLease } from '@omt/contracts';
import { queryDatabase } from '../../../../test/support/databases';
import { eventually } from '../../../../test/support/eventually';
import { leaseRemainingMs } from '../../../../test/support/ticket-lease';
import { TicketStateService } from '../../src/ticket-state/ticket-state.service';
import type { Credential } from '../support/auth-helpers';
import { startTestApi, type TestApi } from '../support/test-api';
import { enrolledTicket, passedChecks } from './upload-fixtures';

/** Short, so lapsing can be waited for; long enough for the steps between a take and its check. */
const LEASE_SECONDS = 2;

type Agent = Credential & { bearer: string };

describe('one agent per ticket: the lease, and access that ends with the ticket', () => {
  let api: TestApi;
  let sales: Credential;
  let ops: Credential & { cookie: string };
  const sockets: Socket[] = [];
  beforeAll(async () => {
    api = await startTestApi('ticket-lease', { env: { OMT_AGENT_LEASE_SECONDS: String(LEASE_SECONDS) } });
    sales = await api.createSalesKey();
    ops = await api.loginAs('ops');
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await api.close();
  });

  async function lease(agent: Agent, body: object): Promise<{ status: number; body: TicketLease & ErrorEnvelope }> {
    const answer = await api.call('POST', '/api/agent/lease', { as: agent, body });
    return { status: answer.status, body: answer.body };
  }
  async function release(agent: Agent, leaseId: string): Promise<number> {
    const response = await fetch(`${api.url}/api/agent/lease`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${agent.bearer}`, [LEASE_HEADER]: leaseId },
    });
    return response.status;
  }
  /** PUT /api/agent/checks, an upload route the lease guards, with or without a lease id. */
  async function putChecks(agent: Agent, leaseId?: string): Promise<{ status: number; body: ErrorEnvelope }> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${agent.bearer}`,
      'content-type': 'application/json',
    };
    if (leaseId) headers[LEASE_HEADER] = leaseId;
    const response = await fetch(`${api.url}/api/agent/checks`, {
      method: 'PUT',
      headers,
      body: JSON.stringify(passedChecks),
    });
    return { status: response.status, body: (await response.json()) as ErrorEnvelope };
  }
  const detailsOf = (envelope: ErrorEnvelope) => Object.fromEntries(envelope.details.map((d) => [d.path, d.message]));
  const sql = (text: string, values: unknown[] = []) => queryDatabase(api.database.url, text, values);
  const remainingMs = (ticketId: string) => leaseRemainingMs(api.config.redisUrl, api.config.redisPrefix, ticketId);

  it('refuses a second agent process with 409 TICKET_LEASED naming the holder, its start and its lapse', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    const first = await lease(agent, { host: 'pc-one', pid: 4242 });
    expect(first.status).toBe(200);
    const held = ticketLeaseSchema.parse(first.body);
    expect(held).toMatchObject({ host: 'pc-one', pid: 4242, leaseSeconds: LEASE_SECONDS });
    expect(Date.parse(held.lapsesAt) - Date.parse(held.since)).toBeGreaterThan((LEASE_SECONDS - 0.5) * 1000);

    const second = await lease(agent, { host: 'pc-two', pid: 77 });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('TICKET_LEASED');
    expect(second.body.message).toContain('4242');
    expect(second.body.message).toContain('pc-one');
    expect(detailsOf(second.body)).toEqual({
      host: 'pc-one',
      pid: '4242',
      since: held.since,
      lapsesAt: expect.any(String),
    });

    // The upload routes: the holder's requests pass, any other (no id, a made-up id) is refused.
    expect((await putChecks(agent, held.leaseId)).status).toBe(200);
    const without = await putChecks(agent);
    expect(without.status).toBe(409);
    expect(without.body.code).toBe('TICKET_LEASED');
    expect((await putChecks(agent, 'f'.repeat(32))).body.code).toBe('TICKET_LEASED');

    // Renewing keeps the id and `since`, and pushes the lapse further: once the held lease has run down a little.
    await eventually(() => remainingMs(ticketId), {
      what: 'the held lease to run down',
      until: (ms) => ms !== null && ms < LEASE_SECONDS * 1000 - 250,
    });
    const renewed = await lease(agent, { leaseId: held.leaseId, host: 'pc-one', pid: 4242 });
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ leaseId: held.leaseId, since: held.since });
    expect(Date.parse(renewed.body.lapsesAt)).toBeGreaterThan(Date.parse(held.lapsesAt));
    expect(await release(agent, held.leaseId)).toBe(204);
  });

  it('lets the next agent take a lease nobody renewed once it has lapsed (an agent killed without a word)', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    const killed = await lease(agent, { host: 'pc-one', pid: 1001 });
    expect(killed.status).toBe(200);
    expect((await lease(agent, { host: 'pc-one', pid: 1002 })).status).toBe(409);
    await eventually(() => remainingMs(ticketId), {
      what: 'the unrenewed lease to lapse',
      until: (ms) => ms === null,
      timeoutMs: LEASE_SECONDS * 1000 + 5_000,
    });
    const next = await lease(agent, { host: 'pc-one', pid: 1002 });
    expect(next.status).toBe(200);
    expect(next.body.leaseId).not.toBe(killed.body.leaseId);
    expect(next.body.pid).toBe(1002);
    // The lapsed agent can neither renew nor release its successor's lease.
    expect((await lease(agent, { leaseId: killed.body.leaseId, host: 'pc-one', pid: 1001 })).status).toBe(409);
    expect(await release(agent, killed.body.leaseId)).toBe(204);
    expect((await putChecks(agent, next.body.leaseId)).status).toBe(200);
    expect((await putChecks(agent, killed.body.leaseId)).status).toBe(409);
  });

  it('frees the ticket at once on release; a new enrollment code drops the lease too', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    const held = await lease(agent, { host: 'pc-one', pid: 1 });
    expect(await release(agent, held.body.leaseId)).toBe(204);
    expect((await putChecks(agent)).status).toBe(200);
    const again = await lease(agent, { host: 'pc-two', pid: 2 });
    expect(again.status).toBe(200);

    const issued = await api.call('POST', `/api/tickets/${ticketId}/enrollment-code`, {
      as: ops,
      body: { reason: 'new machine' },
    });
    expect(issued.status).toBe(200);
    const replacement = await api.enroll(issued.body.enrollmentCode);
    expect((await lease(replacement, { host: 'pc-three', pid: 3 })).status).toBe(200);
  });

  function connectAgent(agent: Agent): Promise<Socket> {
    const socket = io(`${api.url}/agent`, {
      transports: ['websocket'],
      reconnection: false,
      auth: { token: agent.bearer },
    });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  it("ends a cancelled ticket's agent access: 401 AGENT_ACCESS_ENDED with the reason, socket closed, lease gone", async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    const held = await lease(agent, { host: 'pc-one', pid: 5 });
    expect(held.status).toBe(200);
    const socket = await connectAgent(agent);
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));

    const cancelled = await api.call('POST', `/api/tickets/${ticketId}/cancel`, {
      as: ops,
      body: { reason: 'customer changed their mind' },
    });
    expect(cancelled.status).toBe(200);
    await disconnected;

    const refused = await api.call('GET', '/api/agent/session', { as: agent });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('AGENT_ACCESS_ENDED');
    expect(refused.body.message).toContain('customer changed their mind');
    expect(detailsOf(refused.body)).toEqual({ state: 'cancelled', reason: 'customer changed their mind' });
    // Also on the document upload, whose token checks are otherwise taken on trust for a moment.
    const tus = await fetch(`${api.url}/api/agent/documents`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${agent.bearer}`,
        'tus-resumable': '1.0.0',
        'upload-length': '1',
        [LEASE_HEADER]: held.body.leaseId,
      },
    });
    expect(tus.status).toBe(401);
    expect(((await tus.json()) as ErrorEnvelope).code).toBe('AGENT_ACCESS_ENDED');
    // The revocation is in the database (an independent look), and a new socket is refused.
    expect(
      await sql('SELECT count(*)::int AS n FROM "AgentToken" WHERE "ticketId" = $1 AND "revokedAt" IS NULL', [
        ticketId,
      ]),
    ).toEqual([{ n: 0 }]);
    await expect(connectAgent(agent)).rejects.toThrow(/cancelled/);
  });

  it("refuses a completed ticket's agent token with 401 AGENT_ACCESS_ENDED saying it is completed", async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    const socket = await connectAgent(agent);
    const disconnected = new Promise((resolve) => socket.once('disconnect', resolve));
    expect((await api.call('GET', '/api/agent/session', { as: agent })).status).toBe(200);
    // The pipeline's last step, through the one service every state change takes (the worker's path).
    await sql(`UPDATE "Ticket" SET state = 'configuring' WHERE id = $1`, [ticketId]);
    await api.context.get(TicketStateService, { strict: false }).transition(ticketId, 'completed', 'system', null);
    await disconnected;

    const refused = await api.call('GET', '/api/agent/session', { as: agent });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('AGENT_ACCESS_ENDED');
    expect(refused.body.message).toMatch(/completed/);
    expect(detailsOf(refused.body)).toEqual({ state: 'completed', reason: '' });
  });
});
