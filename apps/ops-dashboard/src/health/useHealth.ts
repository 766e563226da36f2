import { healthResponseSchema, type HealthResponse } from '@omt/contracts';
import { useState } from 'react';
import { ApiError, requestJson } from '../api/http';
import { usePoll } from '../api/usePoll';

export const HEALTH_POLL_MS = 5_000;

export interface HealthState {
  /** Last answer that matched the contract; kept while the API is unreachable so staff see what was last known. */
  health: HealthResponse | null;
  error: ApiError | null;
  /** When `health` was received. */
  receivedAt: Date | null;
  /** When the last attempt finished, successful or not. */
  checkedAt: Date | null;
}

const initial: HealthState = { health: null, error: null, receivedAt: null, checkedAt: null };

/**
 * Polls `GET /api/health`. A new request starts only after the previous one
 * settled, so a slow API is never hit by piling requests; 503 is a valid
 * answer (degraded), not an error.
 */
export function useHealth(intervalMs = HEALTH_POLL_MS): HealthState {
  const [state, setState] = useState<HealthState>(initial);

  usePoll(async (signal) => {
    try {
      const health = await requestJson('/api/health', healthResponseSchema, {
        acceptStatuses: [503],
        signal,
        cache: 'no-store',
      });
      const now = new Date();
      setState({ health, error: null, receivedAt: now, checkedAt: now });
    } catch (error) {
      if (signal.aborted) return;
      const apiError = error instanceof ApiError ? error : new ApiError('UNEXPECTED_RESPONSE', describe(error), null);
      setState((previous) => ({ ...previous, error: apiError, checkedAt: new Date() }));
    }
  }, intervalMs);

  return state;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
