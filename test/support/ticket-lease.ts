import { Redis } from 'ioredis';

/**
 * The time left on a ticket's agent lease as Redis itself counts it (PTTL
 * of the lease key; apps/ops-api/src/leases/lease-store.ts), or null once it
 * has lapsed or was never taken. An oracle beside the API: a test waits for
 * the lapse it can see instead of sleeping for the lease's length.
 */
export async function leaseRemainingMs(
  redisUrl: string,
  redisPrefix: string,
  ticketId: string,
): Promise<number | null> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const ms = await redis.pttl(`${redisPrefix}:lease:ticket:${ticketId}`);
    return ms >= 0 ? ms : null;
  } finally {
    redis.disconnect();
  }
}
