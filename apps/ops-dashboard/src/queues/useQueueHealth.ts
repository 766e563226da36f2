import type { QueueHealth } from '@omt/contracts';
import { useState } from 'react';
import { useLive } from '../api/live';
import { opsApi } from '../api/ops-api';
import { usePoll } from '../api/usePoll';
import { useOpsEvent } from '../api/useOpsSocket';

/** Stalls are measured in minutes: asking for the list twice a minute is plenty. */
export const STALLED_REFRESH_MS = 30_000;

/**
 * `GET /api/queues` for the first figures and the stalled migrations (again
 * every 30 s), and the counts live from `queues.measured` in between.
 */
export function useQueueHealth(): { health: QueueHealth | null; error: unknown } {
  const { socket, epoch } = useLive();
  const [health, setHealth] = useState<QueueHealth | null>(null);
  const [error, setError] = useState<unknown>(null);

  usePoll(
    async (signal) => {
      try {
        setHealth(await opsApi.queueHealth(signal));
        setError(null);
      } catch (caught) {
        if (!signal.aborted) setError(caught);
      }
    },
    STALLED_REFRESH_MS,
    epoch,
  );

  useOpsEvent(socket, 'queues.measured', (measured) =>
    setHealth((previous) => (previous ? { ...previous, queues: measured.queues, at: measured.at } : previous)),
  );

  return { health, error };
}
