import { io, type Socket } from 'socket.io-client';
import { SOCKET_NAMESPACES, type OpsEventPayload } from '@omt/contracts';
import { startApp, type RunningApp } from '../../src/bootstrap';
import { createLogger } from '../../src/common/logger';
import { EventsService } from '../../src/events/events.gateway';
import { TicketStateService } from '../../src/ticket-state/ticket-state.service';
import type { Credential } from '../support/auth-helpers';
import { startTestApi, type TestApi } from '../support/test-api';
import { eventually } from '../../../../test/support/eventually';

/**
 * An API process (api role only) and a worker process (worker role only) on
 * the same database and Redis prefix, as in production: what the worker
 * emits reaches the sockets connected to the API, and only the right ones.
 */
let api: TestApi;
let worker: RunningApp;
let sales: Credential;
const sockets: Socket[] = [];

beforeAll(async () => {
  api = await startTestApi('socket-events', { env: { OMT_SOCKET_RECHECK_SECONDS: '0.3' } });
  worker = await startApp(api.config, { api: false, worker: true }, createLogger('warn', 'test-worker'));
  sales = await api.createSalesKey();
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await worker?.close();
  await api?.close();
}, 60_000);

function connect(namespace: string, options: { cookie?: string; token?: string }): Promise<Socket> {
  const socket = io(`${api.url}${namespace}`, {
    transports: ['websocket'],
    reconnection: false,
    ...(options.cookie ? { extraHeaders: { cookie: options.cookie } } : {}),
    ...(options.token ? { auth: { token: options.token } } : {}),
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Every payload of `event` the socket receives, in order. */
function record<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

const disconnected = (socket: Socket) => new Promise<string>((resolve) => socket.once('disconnect', resolve));

async function agentOf(): Promise<{ ticketId: string; token: string }> {
  const created = await api.createTicket(sales);
  const agent = await api.enroll(created.enrollmentCode);
  return { ticketId: created.ticket.id, token: agent.bearer };
}

describe('events from a worker-only process', () => {
  it('reach /ops on the API, and an agent only for its own ticket', async () => {
    const ops = await connect(SOCKET_NAMESPACES.ops, { cookie: (await api.loginAs('ops')).cookie });
    const a = await agentOf();
    const b = await agentOf();
    const agentA = await connect(SOCKET_NAMESPACES.agent, { token: a.token });
    const agentB = await connect(SOCKET_NAMESPACES.agent, { token: b.token });
    const opsChanges = record<OpsEventPayload<'ticket.stateChanged'>>(ops, 'ticket.stateChanged');
    const opsFailures = record<OpsEventPayload<'job.failed'>>(ops, 'job.failed');
    const aChanges = record<{ ticketId: string }>(agentA, 'ticket.stateChanged');
    const bChanges = record<{ ticketId: string }>(agentB, 'ticket.stateChanged');
    const bCommands = record<{ ticketId: string }>(agentB, 'command.issued');

    // The worker has no socket.io server: these go out through Redis.
    const workerEvents = worker.context.get(EventsService, { strict: false });
    await worker.context
      .get(TicketStateService, { strict: false })
      .transition(a.ticketId, 'ready', 'system', 'checks passed (test)');
    const failure = {
      ticketId: a.ticketId,
      queue: 'omt-import',
      jobId: 'j-1',
      jobName: 'import.batchReceived',
      error: 'boom',
      attemptsMade: 1,
      final: false,
    };
    workerEvents.toOps('job.failed', failure);
    // Published after A's change on the same connection: B receives it after anything of A's that reached it.
    workerEvents.toAgent(b.ticketId, 'command.issued', { ticketId: b.ticketId, command: 'pause', reason: null });

    await eventually(
      () => ({ opsFailures: opsFailures.length, aChanges: aChanges.length, bCommands: bCommands.length }),
      {
        what: 'events delivered, one of each',
        until: (seen) => seen.opsFailures === 1 && seen.aChanges === 1 && seen.bCommands === 1,
        timeoutMs: 10_000,
      },
    );
    expect(opsChanges).toEqual([expect.objectContaining({ ticketId: a.ticketId, from: 'enrolled', to: 'ready' })]);
    expect(opsFailures).toEqual([failure]);
    expect(aChanges).toEqual([expect.objectContaining({ ticketId: a.ticketId, to: 'ready' })]);
    expect(bChanges).toEqual([]);
    expect(bCommands).toEqual([{ ticketId: b.ticketId, command: 'pause', reason: null }]);
  });
});

describe('sockets whose credential ends', () => {
  it('disconnects the agent when ops issue a new code or reset its ticket, and refuses the old token after', async () => {
    const a = await agentOf();
    const b = await agentOf();
    const ops = await api.loginAs('ops');
    const agentA = await connect(SOCKET_NAMESPACES.agent, { token: a.token });
    const agentB = await connect(SOCKET_NAMESPACES.agent, { token: b.token });
    const lostA = disconnected(agentA);
    const lostB = disconnected(agentB);

    expect((await api.call('POST', `/api/tickets/${a.ticketId}/enrollment-code`, { as: ops, body: {} })).status).toBe(
      200,
    );
    await lostA;
    expect(agentB.connected).toBe(true);
    expect((await api.call('POST', `/api/tickets/${b.ticketId}/reset`, { as: ops, body: {} })).status).toBe(200);
    await lostB;
    await expect(connect(SOCKET_NAMESPACES.agent, { token: a.token })).rejects.toThrow(/revoked/);
  });

  it('disconnects a dashboard once its session is logged out, and keeps the others', async () => {
    const leaving = await api.loginAs('ops');
    const staying = await api.loginAs('ops');
    const leavingSocket = await connect(SOCKET_NAMESPACES.ops, { cookie: leaving.cookie });
    const stayingSocket = await connect(SOCKET_NAMESPACES.ops, { cookie: staying.cookie });
    const lost = disconnected(leavingSocket);

    expect((await api.call('POST', '/api/auth/logout', { as: leaving })).status).toBe(204);
    // Found by the periodic check (every 0.3 s here), which looked at both sockets in the same round.
    expect(await lost).toBe('io server disconnect');
    expect(stayingSocket.connected).toBe(true);
    await expect(connect(SOCKET_NAMESPACES.ops, { cookie: leaving.cookie })).rejects.toThrow(/session has ended/);
  });
});
