/**
 * When and how long the agent waits before sending a request again.
 * Exponential backoff with full jitter (a random wait between 0 and the
 * exponential cap) spreads many agents retrying after one outage; a server's
 * Retry-After wins over our own guess.
 */
export interface RetryPolicy {
  /** Tries in all, the first one included. */
  attempts: number;
  /** Cap of the first wait; doubles with every retry. */
  baseDelayMs: number;
  /** No wait is longer than this (Retry-After included). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 8, baseDelayMs: 250, maxDelayMs: 30_000 };

/** HTTP statuses worth another try: the server or something in between was overloaded or restarting. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * The wait before retry number `retry` (1 for the first retry): a random
 * share of min(max, base · 2^(retry-1)), or the server's Retry-After when it
 * sent one (bounded by maxDelayMs too, so a broken header cannot park the
 * agent for a day).
 */
export function retryDelayMs(
  retry: number,
  policy: RetryPolicy,
  retryAfterMs: number | null = null,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== null) return Math.min(Math.max(0, retryAfterMs), policy.maxDelayMs);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * cap);
}

/** `Retry-After` as delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** A wait that ends early when the run is aborted (Ctrl-C), rejecting with the abort reason. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
