import { inspect } from 'node:util';

/** What `check` gives once it is done: anything but `undefined`, `null` or `false`. */
export type Settled<T> = Exclude<T, undefined | null | false>;

export interface EventuallyOptions<T> {
  /** What the test waits for, in words: the failure message starts with it. */
  what: string;
  /** 30 s unless told: a product that is right answers far sooner, a stuck one fails the test instead of Jest's timeout. */
  timeoutMs?: number;
  /** Pause between two checks; the first check runs at once. */
  intervalMs?: number;
  /**
   * When the check's value is done. Without it, any value but `undefined`,
   * `null` or `false` is. With it the check can return what it observed
   * (counts, a state, a response), which the failure message then shows.
   */
  until?: (value: T) => boolean;
  /** Checked after each round that was not done: a reason (e.g. "the agent exited 1") fails the wait at once. */
  stopIf?: () => string | null | undefined;
}

/**
 * Checks `check` until it is done and returns its value, or fails saying what
 * it waited for and the last value it saw. The one polling loop of the tests:
 * they wait for what they can observe (a row, a file, an answer), never for a
 * fixed time. An error thrown by `check` ends the wait at once: a check that
 * cannot run is a failure, not a "not yet".
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: EventuallyOptions<T> & { until: (value: T) => boolean },
): Promise<T>;
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions<T>): Promise<Settled<T>>;
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions<T>): Promise<T> {
  const { what, timeoutMs = 30_000, intervalMs = 50, until, stopIf } = options;
  const done = until ?? ((value: T) => value !== undefined && value !== null && value !== false);
  const started = performance.now();
  for (let rounds = 1; ; rounds++) {
    const value = await check();
    if (done(value)) return value;
    const stopped = stopIf?.();
    if (stopped) throw new Error(`stopped waiting for ${what}: ${stopped}; last seen: ${show(value)}`);
    if (performance.now() - started >= timeoutMs)
      throw new Error(
        `timed out after ${timeoutMs} ms (${rounds} checks) waiting for ${what}; last seen: ${show(value)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function show(value: unknown): string {
  return inspect(value, { depth: 4, breakLength: Infinity, maxStringLength: 2000 });
}
