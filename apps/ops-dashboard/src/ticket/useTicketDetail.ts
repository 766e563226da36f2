import type { OpsEventPayload, TicketDetail, TicketEvent } from '@omt/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useLive } from '../api/live';
import { opsApi } from '../api/ops-api';
import { useOpsEvent } from '../api/useOpsSocket';
import { addSample, type ProgressSample } from '../tickets/progress-math';

/** The page reloads at most this often however many events arrive: one batch of events, one reload. */
export const DETAIL_RELOAD_MS = 1_000;

export interface TicketDetailState {
  detail: TicketDetail | null;
  detailError: unknown;
  events: TicketEvent[] | null;
  eventsError: unknown;
  /** The last `ticket.progressed` seen on this page, and the samples for its live rate. */
  progress: OpsEventPayload<'ticket.progressed'> | null;
  samples: ProgressSample[];
  reload: () => void;
}

/**
 * One ticket's detail and audit trail, reloaded (throttled) whenever the
 * `/ops` feed says something happened to it, and after a reconnection.
 */
export function useTicketDetail(ticketId: string): TicketDetailState {
  const { socket, epoch } = useLive();
  const [version, setVersion] = useState(0);
  const [detail, setDetail] = useState<TicketDetail | null>(null);
  const [detailError, setDetailError] = useState<unknown>(null);
  const [events, setEvents] = useState<TicketEvent[] | null>(null);
  const [eventsError, setEventsError] = useState<unknown>(null);
  const [progress, setProgress] = useState<OpsEventPayload<'ticket.progressed'> | null>(null);
  const [samples, setSamples] = useState<ProgressSample[]>([]);
  const lastLoad = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    lastLoad.current = Date.now();
    opsApi.ticketDetail(ticketId, controller.signal).then(
      (answer) => {
        setDetail(answer);
        setDetailError(null);
      },
      (error: unknown) => !controller.signal.aborted && setDetailError(error),
    );
    opsApi.ticketEvents(ticketId, controller.signal).then(
      (answer) => {
        setEvents(answer.items);
        setEventsError(null);
      },
      (error: unknown) => !controller.signal.aborted && setEventsError(error),
    );
    return () => controller.abort();
  }, [ticketId, version, epoch]);

  useEffect(() => () => clearTimeout(pending.current), []);

  const reload = useCallback(() => {
    if (pending.current !== undefined) return;
    const wait = Math.max(0, lastLoad.current + DETAIL_RELOAD_MS - Date.now());
    pending.current = setTimeout(() => {
      pending.current = undefined;
      setVersion((n) => n + 1);
    }, wait);
  }, []);

  useOpsEvent(socket, 'ticket.stateChanged', (change) => change.ticketId === ticketId && reload());
  useOpsEvent(socket, 'job.failed', (failure) => failure.ticketId === ticketId && reload());
  useOpsEvent(socket, 'ticket.progressed', (next) => {
    if (next.ticketId !== ticketId) return;
    setProgress(next);
    setSamples((previous) =>
      addSample(previous, { at: Date.parse(next.at), rows: next.rows.done, bytes: next.bytes.done }),
    );
    reload();
  });

  return { detail, detailError, events, eventsError, progress, samples, reload };
}
