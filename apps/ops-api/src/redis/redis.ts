import { Redis, type RedisOptions } from 'ioredis';

/**
 * What a connection is for. BullMQ needs `maxRetriesPerRequest: null` on
 * connections that block (workers); short-lived probes (health) fail fast
 * instead of queueing; the rate limiter never waits for Redis (its in-process
 * insurance limiter answers instead); ticket leases fail a request rather
 * than hold it.
 */
export type RedisPurpose = 'queue' | 'probe' | 'pubsub' | 'limiter' | 'lease';

const OPTIONS: Record<RedisPurpose, RedisOptions> = {
  queue: { maxRetriesPerRequest: null },
  pubsub: { maxRetriesPerRequest: null },
  probe: {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  },
  limiter: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
  // Ticket leases answer an agent's request: a Redis outage is an error after a retry, never a request that hangs.
  lease: { maxRetriesPerRequest: 1 },
};

type RedisTarget = { redisUrl: string; redisPrefix: string };

/**
 * Every Redis connection of the app is named `<OMT_REDIS_PREFIX>:<user>`
 * (CLIENT SETNAME), so `CLIENT LIST` tells which part of which process holds
 * it, and a test can prove none is left open.
 *
 * BullMQ gets these options rather than a client: a client passed in counts
 * as shared, and BullMQ then never closes it (nor handles its errors once
 * closed); from options it makes, and on `close()` ends, its own.
 */
export function redisOptions(redis: RedisTarget, purpose: RedisPurpose, user: string): RedisOptions & { url: string } {
  return { url: redis.redisUrl, ...OPTIONS[purpose], connectionName: `${redis.redisPrefix}:${user}` };
}

/** A named connection the caller owns and ends with `closeRedis`. */
export function createRedis(redis: RedisTarget, purpose: RedisPurpose, user: string): Redis {
  const { url, ...options } = redisOptions(redis, purpose, user);
  return new Redis(url, options);
}

/**
 * Ends a connection the app owns. QUIT when connected, so commands already
 * sent get their answers instead of rejecting with "Connection is closed";
 * a client that is not connected is dropped. Never throws: on shutdown a
 * connection that is gone already is what we want.
 */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') return client.disconnect();
  await client.quit().catch(() => client.disconnect());
}

/** How long closing waits for a BullMQ connection still starting; with Redis away it never finishes. */
const START_WAIT_MS = 2000;

/**
 * Closes a BullMQ queue or worker. Closed while its connection is still
 * starting (an app stopped right after start), BullMQ 5 later emits that
 * start's "Connection is closed" as an 'error' with no listener left, an
 * unhandled error; so the start is let finish first, for a bounded time.
 */
export async function closeBullmq(part: { waitUntilReady(): Promise<unknown>; close(): Promise<void> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    part.waitUntilReady().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, START_WAIT_MS);
    }),
  ]);
  clearTimeout(timer);
  await part.close();
}
