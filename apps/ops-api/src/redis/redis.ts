import { Redis, type RedisOptions } from 'ioredis';

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections that block
 * (workers); short-lived probes (health) fail fast instead of queueing.
 */
export function createRedis(url: string, purpose: 'queue' | 'probe' | 'pubsub'): Redis {
  const options: RedisOptions =
    purpose === 'probe'
      ? { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null }
      : { maxRetriesPerRequest: null };
  return new Redis(url, options);
}
