import { useEffect, useEffectEvent } from 'react';

/**
 * Runs `load` now, then again `intervalMs` after each run settled, so a slow
 * API is never asked twice at once. Stops (aborting the run in flight) on
 * unmount, and starts over when `restartKey` changes. `load` handles its own
 * errors; an abort is not one.
 */
export function usePoll(
  load: (signal: AbortSignal) => Promise<void>,
  intervalMs: number,
  restartKey: unknown = null,
): void {
  const run = useEffectEvent(load);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      await run(controller.signal);
      if (!controller.signal.aborted) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [intervalMs, restartKey]);
}
