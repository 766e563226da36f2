import type { OpsEventPayload } from '@omt/contracts';

/**
 * Throughput, ETA and downtime from what the dashboard has seen. Pure: every
 * function takes `now`, so the list re-renders with a ticking clock and the
 * rules are tested without one.
 */

export type Progress = Pick<OpsEventPayload<'ticket.progressed'>, 'rows' | 'bytes'>;

export interface ProgressSample {
  /** Epoch milliseconds. */
  at: number;
  rows: number;
  bytes: number;
}

export interface Rates {
  rowsPerSecond: number | null;
  bytesPerSecond: number | null;
}

/** The rate is taken over the last minute: long enough to smooth batch bursts, short enough to show a slowdown. */
export const RATE_WINDOW_MS = 60_000;
/** Below this span two samples say more about timing jitter than about speed. */
export const MIN_RATE_SPAN_MS = 2_000;

const NO_RATES: Rates = { rowsPerSecond: null, bytesPerSecond: null };

/**
 * Adds a sample, keeping the window plus one older sample as its anchor. A
 * sample going backwards (a test migration reset) starts the series again.
 */
export function addSample(
  samples: readonly ProgressSample[],
  sample: ProgressSample,
  windowMs = RATE_WINDOW_MS,
): ProgressSample[] {
  const last = samples[samples.length - 1];
  if (last && (sample.rows < last.rows || sample.bytes < last.bytes)) return [sample];
  const kept = last && sample.at <= last.at ? samples.slice(0, -1) : [...samples];
  kept.push(sample);
  return keepWindow(kept, sample.at - windowMs);
}

function keepWindow(samples: ProgressSample[], from: number): ProgressSample[] {
  const firstInside = samples.findIndex((s) => s.at >= from);
  if (firstInside <= 0) return firstInside === -1 ? samples.slice(-1) : samples;
  return samples.slice(firstInside - 1);
}

/**
 * The rate over the last window, measured up to `now`: when the events stop
 * the rate falls towards zero instead of freezing at its last value.
 */
export function windowRates(samples: readonly ProgressSample[], now: number, windowMs = RATE_WINDOW_MS): Rates {
  const recent = keepWindow([...samples], now - windowMs);
  const first = recent[0];
  const last = recent[recent.length - 1];
  if (!first || !last) return NO_RATES;
  // Only the anchor is left: nothing has moved for a whole window.
  if (recent.length === 1) return first.at < now - windowMs ? { rowsPerSecond: 0, bytesPerSecond: 0 } : NO_RATES;
  const span = Math.max(now, last.at) - first.at;
  if (span < MIN_RATE_SPAN_MS) return NO_RATES;
  return {
    rowsPerSecond: ((last.rows - first.rows) * 1000) / span,
    bytesPerSecond: ((last.bytes - first.bytes) * 1000) / span,
  };
}

/** The average since the upload started (until it finished): what a page just opened can say. */
export function averageRates(progress: Progress, from: string | null, until: number): Rates {
  if (from === null) return NO_RATES;
  const span = until - Date.parse(from);
  if (!(span >= MIN_RATE_SPAN_MS)) return NO_RATES;
  return { rowsPerSecond: (progress.rows.done * 1000) / span, bytesPerSecond: (progress.bytes.done * 1000) / span };
}

export interface Timing {
  uploadStartedAt: string | null;
  finishedAt: string | null;
}

/** Live window rate while there is one; the average since the start otherwise; the overall average once finished. */
export function throughput(samples: readonly ProgressSample[], progress: Progress, timing: Timing, now: number): Rates {
  if (timing.uploadStartedAt === null) return NO_RATES;
  if (timing.finishedAt !== null) return averageRates(progress, timing.uploadStartedAt, Date.parse(timing.finishedAt));
  const live = windowRates(samples, now);
  return live.rowsPerSecond !== null ? live : averageRates(progress, timing.uploadStartedAt, now);
}

/**
 * Seconds until rows and bytes are both done: rows bound the table phase
 * (their total is known from the start), bytes the documents. Null when
 * nothing moves, or when already done (0).
 */
export function etaSeconds(progress: Progress, rates: Rates): number | null {
  const remainingRows = Math.max(0, progress.rows.total - progress.rows.done);
  const remainingBytes = Math.max(0, progress.bytes.total - progress.bytes.done);
  if (remainingRows === 0 && remainingBytes === 0) return 0;
  const part = (remaining: number, rate: number | null): number | null => {
    if (remaining === 0) return 0;
    return rate !== null && rate > 0 ? remaining / rate : null;
  };
  const rows = part(remainingRows, rates.rowsPerSecond);
  const bytes = part(remainingBytes, rates.bytesPerSecond);
  if (rows === null || bytes === null) return null;
  return Math.max(rows, bytes);
}

/** The customer's downtime: from the start of the upload until the migration finished, or until now. */
export function downtimeSeconds(timing: Timing, now: number): number | null {
  if (timing.uploadStartedAt === null) return null;
  const end = timing.finishedAt === null ? now : Date.parse(timing.finishedAt);
  return Math.max(0, (end - Date.parse(timing.uploadStartedAt)) / 1000);
}
