import { useEffect, useReducer, useRef, useState } from 'react';
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
 * A state change can bring what no event carries (the migrator of a new
 * plan, the exact upload start): the page is read again after one, at most
 * this often.
 */
export const OVERVIEW_RELOAD_MS = 3_000;

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
  const pendingReload = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(pendingReload.current), []);
  const reloadSoon = () => {
    if (pendingReload.current !== undefined) return;
    pendingReload.current = setTimeout(() => {
      pendingReload.current = undefined;
      setAttempt((n) => n + 1);
    }, OVERVIEW_RELOAD_MS);
  };

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
    // Shown at once; the reload then fills in what the event does not carry,
    // and brings a ticket that entered the filtered state from elsewhere.
    dispatch({ type: 'ticket.stateChanged', change });
    reloadSoon();
  });

  return { state, error, reload: () => setAttempt((n) => n + 1) };
}
