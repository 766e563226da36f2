import { useEffect, useState } from 'react';

/** The current time, re-rendering every `intervalMs`: downtime, ETA and "ago" keep moving between events. */
export function useNow(intervalMs = 1_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
