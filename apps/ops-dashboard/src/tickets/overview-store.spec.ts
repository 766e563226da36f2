import type { TicketOverviewList, TicketView } from '@omt/contracts';
import {
  initialOverview,
  matchesSearch,
  newTicketOverview,
  overviewReducer,
  type OverviewState,
} from './overview-store';

const ticket = (id: string, overrides: Partial<TicketView> = {}): TicketView => ({
  id,
  customerId: 'Cust100',
  companyName: 'Acme Industries',
  serialNumber: '4021-7788',
  environment: 'online',
  kind: 'test',
  state: 'created',
  salesRep: { name: 'Sam', email: 'sam@example.com' },
  tenant: { customerId: 'Cust100', environment: 'online', state: 'migration_pending', databaseName: 'tenant_cust100' },
  createdAt: '2026-01-01T10:00:00.000Z',
  updatedAt: '2026-01-01T10:00:00.000Z',
  ...overrides,
});

function loaded(items: TicketView[], filters: OverviewState['filters'] = { state: null, kind: null }): OverviewState {
  const list: TicketOverviewList = {
    items: items.map(newTicketOverview),
    total: items.length,
    limit: 50,
    offset: 0,
    stalledAfterMinutes: 3,
  };
  return overviewReducer(initialOverview, { type: 'loaded', list, filters });
}

const change = (ticketId: string, from: TicketView['state'], to: TicketView['state'], at: string) => ({
  type: 'ticket.stateChanged' as const,
  change: { ticketId, customerId: 'Cust100', from, to, actor: 'agent:x', reason: null, at },
});

describe('overviewReducer', () => {
  it('puts a new ticket on top, once, when it matches the filters', () => {
    let state = loaded([ticket('a')]);
    state = overviewReducer(state, { type: 'ticket.created', ticket: ticket('b') });
    state = overviewReducer(state, { type: 'ticket.created', ticket: ticket('b') });
    expect(state.items.map((i) => i.ticket.id)).toEqual(['b', 'a']);
    expect(state.total).toBe(2);
    expect(state.stalledAfterMinutes).toBe(3);

    const liveOnly = loaded([], { state: null, kind: 'live' });
    expect(overviewReducer(liveOnly, { type: 'ticket.created', ticket: ticket('c') }).items).toEqual([]);
  });

  it('moves a ticket through its states, starting and ending the downtime', () => {
    let state = loaded([ticket('a', { state: 'ready' })]);
    state = overviewReducer(state, change('a', 'ready', 'uploading', '2026-01-01T11:00:00.000Z'));
    expect(state.items[0]).toMatchObject({
      ticket: { state: 'uploading' },
      uploadStartedAt: '2026-01-01T11:00:00.000Z',
      finishedAt: null,
      lastEvent: { action: 'ticket.stateChanged', actor: 'agent:x' },
    });
    state = overviewReducer(state, change('a', 'configuring', 'completed', '2026-01-01T11:30:00.000Z'));
    expect(state.items[0]).toMatchObject({ ticket: { state: 'completed' }, finishedAt: '2026-01-01T11:30:00.000Z' });
  });

  it('drops a ticket that leaves the filtered state', () => {
    let state = loaded([ticket('a', { state: 'uploading' })], { state: 'uploading', kind: null });
    state = overviewReducer(state, change('a', 'uploading', 'importing', '2026-01-01T11:00:00.000Z'));
    expect(state.items).toEqual([]);
    expect(state.total).toBe(0);
  });

  it('replaces the figures on progress and keeps samples for the rate', () => {
    let state = loaded([ticket('a', { state: 'uploading' })]);
    const progressed = (rows: number, at: string) => ({
      type: 'ticket.progressed' as const,
      progress: {
        ticketId: 'a',
        phase: 'tables' as const,
        tables: { done: 0, total: 2 },
        rows: { done: rows, total: 1000 },
        bytes: { done: rows * 10, total: 10_000 },
        documents: { done: 0, total: 0 },
        at,
      },
    });
    state = overviewReducer(state, progressed(100, '2026-01-01T11:00:00.000Z'));
    state = overviewReducer(state, progressed(300, '2026-01-01T11:00:05.000Z'));
    expect(state.items[0]!.progress.rows).toEqual({ done: 300, total: 1000 });
    expect(state.items[0]!.lastProgressAt).toBe('2026-01-01T11:00:05.000Z');
    expect(state.samples.a!.map((s) => s.rows)).toEqual([100, 300]);
    // Same figures again: no progress, the last-progress time stays.
    state = overviewReducer(state, progressed(300, '2026-01-01T11:00:09.000Z'));
    expect(state.items[0]!.lastProgressAt).toBe('2026-01-01T11:00:05.000Z');
    // Unknown tickets (another page) are ignored.
    expect(
      overviewReducer(state, {
        ...progressed(1, '2026-01-01T11:00:10.000Z'),
        progress: { ...progressed(1, 'x').progress, ticketId: 'zz', at: '2026-01-01T11:00:10.000Z' },
      }),
    ).toBe(state);
  });
});

describe('matchesSearch', () => {
  const item = {
    ...newTicketOverview(ticket('abc-123')),
    migrator: { name: 'Mia Migrator', email: 'mia@partner.example', phone: '1' },
  };

  it('matches every term anywhere, ignoring case', () => {
    expect(matchesSearch(item, '')).toBe(true);
    expect(matchesSearch(item, 'acme cust100')).toBe(true);
    expect(matchesSearch(item, 'MIA')).toBe(true);
    expect(matchesSearch(item, 'partner.example 4021')).toBe(true);
    expect(matchesSearch(item, 'acme globex')).toBe(false);
  });
});
