import {
  DOWNTIME_END_STATES,
  type MigrationKind,
  type MigrationState,
  type OpsEventPayload,
  type TicketOverview,
  type TicketOverviewList,
  type TicketView,
} from '@omt/contracts';
import { addSample, type ProgressSample } from './progress-math';

/**
 * The tickets list as a pure reducer: a loaded page, then the live events
 * applied to it, so what the list shows between two loads is testable.
 */
export interface OverviewFilters {
  state: MigrationState | null;
  kind: MigrationKind | null;
}

export interface OverviewState {
  loaded: boolean;
  filters: OverviewFilters;
  items: TicketOverview[];
  total: number;
  stalledAfterMinutes: number;
  /** Progress seen per ticket since the page opened, for the live rate. */
  samples: Record<string, ProgressSample[]>;
}

export type OverviewAction =
  | { type: 'loaded'; list: TicketOverviewList; filters: OverviewFilters }
  | { type: 'ticket.created'; ticket: TicketView }
  | { type: 'ticket.stateChanged'; change: OpsEventPayload<'ticket.stateChanged'> }
  | { type: 'ticket.progressed'; progress: OpsEventPayload<'ticket.progressed'> };

export const initialOverview: OverviewState = {
  loaded: false,
  filters: { state: null, kind: null },
  items: [],
  total: 0,
  stalledAfterMinutes: 10,
  samples: {},
};

function matches(filters: OverviewFilters, state: MigrationState, kind: MigrationKind): boolean {
  return (filters.state === null || filters.state === state) && (filters.kind === null || filters.kind === kind);
}

/** A ticket just opened: nothing done yet. */
export function newTicketOverview(ticket: TicketView): TicketOverview {
  const zero = { done: 0, total: 0 };
  return {
    ticket,
    progress: {
      ticketId: ticket.id,
      phase: 'checks',
      tables: zero,
      rows: zero,
      bytes: zero,
      documents: zero,
      at: ticket.createdAt,
    },
    migrator: null,
    uploadStartedAt: null,
    finishedAt: null,
    lastProgressAt: ticket.createdAt,
    lastEvent: null,
  };
}

export function overviewReducer(state: OverviewState, action: OverviewAction): OverviewState {
  switch (action.type) {
    case 'loaded':
      return {
        ...state,
        loaded: true,
        filters: action.filters,
        items: action.list.items,
        total: action.list.total,
        stalledAfterMinutes: action.list.stalledAfterMinutes,
      };
    case 'ticket.created': {
      const { ticket } = action;
      if (state.items.some((item) => item.ticket.id === ticket.id)) return state;
      if (!matches(state.filters, ticket.state, ticket.kind)) return state;
      return { ...state, items: [newTicketOverview(ticket), ...state.items], total: state.total + 1 };
    }
    case 'ticket.stateChanged': {
      const { change } = action;
      const item = state.items.find((i) => i.ticket.id === change.ticketId);
      if (!item) return state;
      if (!matches(state.filters, change.to, item.ticket.kind)) {
        return { ...state, items: state.items.filter((i) => i !== item), total: Math.max(0, state.total - 1) };
      }
      const uploadStartedAt = item.uploadStartedAt ?? (change.to === 'uploading' ? change.at : null);
      const ends = DOWNTIME_END_STATES.includes(change.to) && uploadStartedAt !== null && item.finishedAt === null;
      const updated: TicketOverview = {
        ...item,
        ticket: { ...item.ticket, state: change.to, updatedAt: change.at },
        uploadStartedAt,
        finishedAt: ends ? change.at : change.to === 'created' ? null : item.finishedAt,
        lastProgressAt: change.at,
        lastEvent: { action: 'ticket.stateChanged', actor: change.actor, at: change.at, reason: change.reason },
      };
      return { ...state, items: state.items.map((i) => (i === item ? updated : i)) };
    }
    case 'ticket.progressed': {
      const { progress } = action;
      const item = state.items.find((i) => i.ticket.id === progress.ticketId);
      if (!item) return state;
      const sample = { at: Date.parse(progress.at), rows: progress.rows.done, bytes: progress.bytes.done };
      const moved = progress.rows.done !== item.progress.rows.done || progress.bytes.done !== item.progress.bytes.done;
      const updated: TicketOverview = { ...item, progress, lastProgressAt: moved ? progress.at : item.lastProgressAt };
      return {
        ...state,
        items: state.items.map((i) => (i === item ? updated : i)),
        samples: { ...state.samples, [item.ticket.id]: addSample(state.samples[item.ticket.id] ?? [], sample) },
      };
    }
  }
}

/** Free-text search over what ops type: customer id, company, serial number, migrator, state, ticket id. */
export function matchesSearch(item: TicketOverview, search: string): boolean {
  const terms = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const haystack = [
    item.ticket.id,
    item.ticket.customerId,
    item.ticket.companyName,
    item.ticket.serialNumber,
    item.ticket.state,
    item.ticket.kind,
    item.migrator?.name,
    item.migrator?.email,
  ]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  return terms.every((term) => haystack.includes(term));
}
