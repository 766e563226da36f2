import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { SOCKET_NAMESPACES } from '@omt/contracts';
import { REDIS_URL } from '../../../../test/support/databases';
import { eventually } from '../../../../test/support/eventually';
import { startTestApi } from '../support/test-api';

/** Names of the Redis connections open now whose name starts with the app's prefix (every connection omt makes is named). */
async function connectionsOf(prefix: string): Promise<string[]> {
  const admin = new Redis(REDIS_URL);
  try {
    const list = (await admin.call('CLIENT', 'LIST')) as string;
    return list
      .split('\n')
      .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
      .filter((name) => name.startsWith(`${prefix}:`))
      .sort();
  } finally {
    admin.disconnect();
  }
}

/** A closed socket leaves CLIENT LIST a moment after its QUIT was answered: what is still open after that (the test expects none). */
async function connectionsGone(prefix: string): Promise<string[]> {
  return eventually(() => connectionsOf(prefix), {
    what: `the connections of ${prefix} to close`,
    until: (open) => open.length === 0,
    timeoutMs: 5_000,
    intervalMs: 100,
  }).catch(() => connectionsOf(prefix));
}

describe('Redis connections on shutdown', () => {
  it('closes every connection the API and the worker opened: queues, workers, socket.io, rate limits, health', async () => {
    const api = await startTestApi('redis-connections', { worker: true });
    const prefix = api.config.redisPrefix;
    try {
      // Use every part once: a health probe, a failed login (rate limits), a dashboard socket.
      expect((await fetch(`${api.url}/api/health`)).status).toBe(200);
      expect(
        (
          await api.call('POST', '/api/auth/login', {
            body: { email: 'nobody@example.com', password: 'wrong-password-1' },
          })
        ).status,
      ).toBe(401);
      const ops = await api.loginAs('ops');
      const socket = io(`${api.url}${SOCKET_NAMESPACES.ops}`, {
        transports: ['websocket'],
        extraHeaders: { cookie: ops.cookie },
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      socket.disconnect();

      const open = await connectionsOf(prefix);
      expect(open).toEqual(
        expect.arrayContaining([
          `${prefix}:queue:omt-import`,
          `${prefix}:queue:omt-verify`,
          `${prefix}:queue:omt-configure`,
          `${prefix}:queue:omt-maintenance`,
          `${prefix}:worker:omt-import`,
          `${prefix}:worker:omt-verify`,
          `${prefix}:worker:omt-configure`,
          `${prefix}:worker:omt-maintenance`,
          `${prefix}:socket.io-pub`,
          `${prefix}:socket.io-sub`,
          `${prefix}:rate-limits`,
        ]),
      );
      // BullMQ's own blocking connection of each worker carries the prefix too.
      expect(open.length).toBeGreaterThanOrEqual(12);
    } finally {
      await api.close();
    }
    expect(await connectionsGone(prefix)).toEqual([]);
  }, 60_000);

  it('closes cleanly right after start, without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      for (let round = 0; round < 3; round++) {
        const api = await startTestApi('redis-quick-close', { worker: true });
        await api.close();
        expect(await connectionsGone(api.config.redisPrefix)).toEqual([]);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  }, 90_000);
});
