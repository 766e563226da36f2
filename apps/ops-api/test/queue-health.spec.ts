import { io, type Socket } from 'socket.io-client';
import {
  queueHealthSchema,
  ticketOverviewListSchema,
  opsServerEvents,
  QUEUES,
  type OpsEventPayload,
} from '@omt/contracts';
import { PrismaService } from '../src/prisma/prisma.service';
import { QueuesService } from '../src/queues/queues.service';
import { TicketStateService } from '../src/ticket-state/ticket-state.service';
import { startTestApi, type TestApi } from './support/test-api';
import type { Credential } from './support/auth-helpers';
import { eventually } from '../../../test/support/eventually';

// No worker: jobs stay where they are put, so the counts are known.
describe('queue health and the tickets overview', () => {
  let api: TestApi;
  let ops: Credential & { cookie: string };
  let sales: Credential;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    api = await startTestApi('queue-health', {
      env: { OMT_STALLED_AFTER_MINUTES: '0.001', OMT_QUEUE_MEASURE_SECONDS: '0.5' },
    });
    ops = await api.loginAs('ops');
    sales = await api.createSalesKey();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await api.close();
  });

  it('refuses everyone but ops and admin', async () => {
    for (const path of ['/api/queues', '/api/tickets-overview']) {
      expect((await api.call('GET', path)).status).toBe(401);
      expect((await api.call('GET', path, { as: sales })).status).toBe(403);
      expect((await api.call('GET', path, { as: await api.loginAs('admin') })).status).toBe(200);
    }
  });

  it('counts waiting and delayed jobs per queue, over HTTP and pushed to /ops', async () => {
    const queues = api.context.get(QueuesService, { strict: false });
    await queues.enqueue('verify.ticketUploaded', { ticketId: 'waiting-one' }, { jobId: 'qh-waiting' });
    await queues.enqueue(
      'verify.ticketUploaded',
      { ticketId: 'delayed-one' },
      { jobId: 'qh-delayed', delay: 3_600_000 },
    );

    const answer = await api.call('GET', '/api/queues', { as: ops });
    expect(answer.status).toBe(200);
    const health = queueHealthSchema.parse(answer.body);
    expect(health.queues.map((q) => q.queue).sort()).toEqual(Object.values(QUEUES).sort());
    expect(health.queues.find((q) => q.queue === QUEUES.verify)).toEqual({
      queue: QUEUES.verify,
      waiting: 1,
      active: 0,
      delayed: 1,
      failed: 0,
    });
    expect(health.queues.find((q) => q.queue === QUEUES.import)).toMatchObject({ waiting: 0, delayed: 0 });

    const socket = io(`${api.url}/ops`, {
      transports: ['websocket'],
      extraHeaders: { cookie: ops.cookie },
      reconnection: false,
    });
    sockets.push(socket);
    const measured = await new Promise<OpsEventPayload<'queues.measured'>>((resolve) =>
      socket.once('queues.measured', resolve),
    );
    const pushed = opsServerEvents['queues.measured'].parse(measured);
    expect(pushed.queues.find((q) => q.queue === QUEUES.verify)).toMatchObject({ waiting: 1, delayed: 1 });
  });

  it('lists tickets with their figures, migrator and last event, and names a running one without progress as stalled', async () => {
    const created = await api.createTicket(sales, { companyName: 'Overview Ltd' });
    const id = created.ticket.id;
    await api.enroll(created.enrollmentCode);
    const prisma = api.context.get(PrismaService, { strict: false });
    const states = api.context.get(TicketStateService, { strict: false });
    await states.transition(id, 'ready', 'system', null);
    await prisma.ticket.update({
      where: { id },
      data: {
        plan: {
          formatVersion: 1,
          users: [],
          migrator: { name: 'Mia Migrator', email: 'mia@partner.example', phone: '+47 1' },
          sendWelcomeEmails: false,
        },
        uploadStartedAt: new Date(),
        expectedDocuments: 4,
        expectedDocumentBytes: 4000,
      },
    });
    await states.transition(id, 'uploading', 'agent:test', null);
    await prisma.tableUpload.createMany({
      data: [
        {
          ticketId: id,
          name: 'contact',
          position: 0,
          expectedRows: 100,
          sourceBatches: 1,
          sourceRows: 100,
          completedAt: new Date(),
        },
        { ticketId: id, name: 'person', position: 1, expectedRows: 300 },
      ],
    });
    const batch = { ticketId: id, sha256: 'a'.repeat(64), storedBytes: 10, blobKey: 'k' };
    await prisma.batchUpload.createMany({
      data: [
        { ...batch, tableName: 'contact', sequence: 0, rows: 100, bytes: 10_000, importedAt: new Date() },
        { ...batch, tableName: 'person', sequence: 0, rows: 100, bytes: 10_000 },
      ],
    });

    const answer = await api.call('GET', '/api/tickets-overview?state=uploading', { as: ops });
    expect(answer.status).toBe(200);
    const list = ticketOverviewListSchema.parse(answer.body);
    expect(list.stalledAfterMinutes).toBe(0.001);
    const row = list.items.find((item) => item.ticket.id === id);
    expect(row).toBeDefined();
    expect(list.items.every((item) => item.ticket.state === 'uploading')).toBe(true);
    // The same figures `ticket.progressed` carries: rows imported, bytes imported of received plus announced documents.
    expect(row!.progress).toMatchObject({
      ticketId: id,
      phase: 'tables',
      tables: { done: 1, total: 2 },
      rows: { done: 100, total: 400 },
      bytes: { done: 10_000, total: 24_000 },
      documents: { done: 0, total: 4 },
    });
    expect(row!.migrator).toEqual({ name: 'Mia Migrator', email: 'mia@partner.example', phone: '+47 1' });
    expect(row!.lastEvent).toMatchObject({ action: 'ticket.stateChanged', actor: 'agent:test' });
    expect(row!.uploadStartedAt).not.toBeNull();
    expect(row!.finishedAt).toBeNull();

    // 0.001 minutes is 60 ms: soon nothing has moved for longer than that.
    const health = await eventually(
      async () => queueHealthSchema.parse((await api.call('GET', '/api/queues', { as: ops })).body),
      { what: `ticket ${id} listed as stalled`, until: (seen) => seen.stalled.some((s) => s.ticket.id === id) },
    );
    const stalled = health.stalled.find((s) => s.ticket.id === id);
    expect(stalled).toMatchObject({
      ticket: { companyName: 'Overview Ltd', state: 'uploading' },
      lastEvent: { action: 'ticket.stateChanged' },
    });

    // A ticket waiting for its migrator is not stalled, however long it waits.
    const waiting = await api.createTicket(sales);
    const again = queueHealthSchema.parse((await api.call('GET', '/api/queues', { as: ops })).body);
    expect(again.stalled.map((s) => s.ticket.id)).not.toContain(waiting.ticket.id);
  });

  it('answers a bad filter with the field named', async () => {
    const answer = await api.call('GET', '/api/tickets-overview?state=sleeping', { as: ops });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });
});
