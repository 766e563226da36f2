import { useEffect, useReducer, useState } from 'react';
import { useLive } from '../api/live';
import { opsApi } from '../api/ops-api';
import { useOpsEvent } from '../api/useOpsSocket';
import { initialOverview, overviewReducer, type OverviewFilters, type OverviewState } from './overview-store';

export interface TicketsOverview {
  state: OverviewState;
  error: unknown;
  reload: () => void;
}

/**
 * The list's page of tickets: loaded from `GET /api/tickets-overview` when
 * the filters change or the live feed comes back, and kept current by the
 * `/ops` events in between.
 */
export function useTicketsOverview(filters: OverviewFilters): TicketsOverview {
  const { socket, epoch } = useLive();
  const [state, dispatch] = useReducer(overviewReducer, initialOverview);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const { state: stateFilter, kind } = filters;

  useEffect(() => {
    const controller = new AbortController();
    const wanted = { state: stateFilter, kind };
    opsApi.ticketsOverview(wanted, controller.signal).then(
      (list) => {
        setError(null);
        dispatch({ type: 'loaded', list, filters: wanted });
      },
      (caught: unknown) => {
        if (!controller.signal.aborted) setError(caught);
      },
    );
    return () => controller.abort();
  }, [stateFilter, kind, epoch, attempt]);

  useOpsEvent(socket, 'ticket.created', (ticket) => dispatch({ type: 'ticket.created', ticket }));
  useOpsEvent(socket, 'ticket.progressed', (progress) => dispatch({ type: 'ticket.progressed', progress }));
  useOpsEvent(socket, 'ticket.stateChanged', (change) => {
    // A ticket entering the filtered state from elsewhere is not on this page yet: load it.
    const known = state.items.some((item) => item.ticket.id === change.ticketId);
    if (!known && stateFilter === change.to) setAttempt((n) => n + 1);
    else dispatch({ type: 'ticket.stateChanged', change });
  });

  return { state, error, reload: () => setAttempt((n) => n + 1) };
}
