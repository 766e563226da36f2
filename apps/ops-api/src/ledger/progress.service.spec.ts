import type { Logger } from 'pino';
import type { EventsService } from '../events/events.gateway';
import type { ProgressFigures, ProgressRepository } from './progress.repository';
import { PROGRESS_INTERVAL_MS, ProgressService, progressOf, type TicketProgress } from './progress.service';

const figures = (over: Partial<ProgressFigures> = {}): ProgressFigures => ({
  state: 'uploading',
  tablesTotal: 4,
  tablesDone: 1,
  rowsTotal: 1000,
  rowsImported: 250,
  batchBytesReceived: 5000,
  batchBytesImported: 2000,
  documentsTotal: 10,
  documentBytesTotal: 800,
  documentsStored: 2,
  documentBytesStored: 100,
  ...over,
});

describe('progressOf', () => {
  const at = new Date('2026-11-21T12:00:00.000Z');

  it('counts rows imported, tables whole, bytes of tables and documents', () => {
    expect(progressOf('t1', figures(), at)).toEqual({
      ticketId: 't1',
      phase: 'tables',
      tables: { done: 1, total: 4 },
      rows: { done: 250, total: 1000 },
      bytes: { done: 2100, total: 5800 },
      documents: { done: 2, total: 10 },
      at: at.toISOString(),
    });
  });

  it('names the phase from the state and what is done', () => {
    const phase = (over: Partial<ProgressFigures>) => progressOf('t', figures(over), at).phase;
    expect(phase({ state: 'ready' })).toBe('checks');
    expect(phase({ state: 'importing', tablesDone: 4 })).toBe('documents');
    expect(phase({ state: 'verifying' })).toBe('verification');
    expect(phase({ state: 'configuring' })).toBe('configuration');
    expect(phase({ state: 'recovering' })).toBe('documents');
  });

  it('never reports more done than total (rows added at the source since the count)', () => {
    expect(progressOf('t', figures({ rowsImported: 1200 }), at).rows).toEqual({ done: 1200, total: 1200 });
  });
});

describe('ProgressService', () => {
  let sent: TicketProgress[];
  let current: ProgressFigures;
  let service: ProgressService;
  const flush = () => new Promise((resolve) => jest.requireActual<typeof import('timers')>('timers').setImmediate(resolve));

  beforeEach(() => {
    jest.useFakeTimers();
    sent = [];
    current = figures();
    const repository = { figures: async () => current } as unknown as ProgressRepository;
    const events = { toOps: (_event: string, payload: TicketProgress) => sent.push(payload) } as unknown as EventsService;
    service = new ProgressService(repository, events, { warn: () => undefined } as unknown as Logger);
  });
  afterEach(async () => {
    await service.onModuleDestroy();
    jest.useRealTimers();
  });

  it('sends the first change at once, holds the rest of the interval, then sends the latest figures once', async () => {
    service.publish('t1');
    await flush();
    expect(sent.map((p) => p.rows.done)).toEqual([250]);

    for (const rows of [300, 350, 400]) {
      current = figures({ rowsImported: rows });
      service.publish('t1');
    }
    await flush();
    expect(sent).toHaveLength(1);

    jest.advanceTimersByTime(PROGRESS_INTERVAL_MS);
    await flush();
    expect(sent.map((p) => p.rows.done)).toEqual([250, 400]);

    jest.advanceTimersByTime(PROGRESS_INTERVAL_MS * 3);
    await flush();
    expect(sent).toHaveLength(2);
  });

  it('throttles each ticket on its own', async () => {
    service.publish('t1');
    service.publish('t2');
    service.publish('t1');
    await flush();
    expect(sent.map((p) => p.ticketId)).toEqual(['t1', 't2']);
  });

  it('logs a failed read instead of throwing it at the caller', async () => {
    const failing = new ProgressService(
      { figures: async () => Promise.reject(new Error('database gone')) } as unknown as ProgressRepository,
      { toOps: () => sent.push(figures() as never) } as unknown as EventsService,
      { warn: () => undefined } as unknown as Logger,
    );
    failing.publish('t1');
    await flush();
    expect(sent).toEqual([]);
    await failing.onModuleDestroy();
  });
});
