import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config';
import { closeRedis, createRedis } from '../redis/redis';

// Typed from Nest's own socket.io copy, which may differ from the app's.
type IoServer = ReturnType<IoAdapter['createIOServer']>;
type IoServerOptions = Parameters<IoAdapter['createIOServer']>[1];

/**
 * The Redis channel prefix of socket.io's messages: the adapter of every API
 * process and the emitter of a worker-only process must use the same one.
 */
export function socketIoKey(config: Pick<AppConfig, 'redisPrefix'>): string {
  return `${config.redisPrefix}:socket.io`;
}

/**
 * socket.io over Redis pub/sub, so that several API processes behind a load
 * balancer feed every dashboard. CORS is limited to the dashboard's origins;
 * CORS does not stop a WebSocket, so socket-origin.ts checks the /ops handshake.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly pub: Redis;
  private readonly sub: Redis;

  constructor(
    app: INestApplicationContext,
    private readonly config: Pick<AppConfig, 'redisUrl' | 'redisPrefix' | 'dashboardOrigins'>,
  ) {
    super(app);
    this.pub = createRedis(config, 'pubsub', 'socket.io-pub');
    this.sub = createRedis(config, 'pubsub', 'socket.io-sub');
  }

  /**
   * Lets both clients connect before any namespace subscribes, so no
   * SUBSCRIBE waits in a connecting client's queue (where a quick shutdown
   * would reject it unhandled). Gives up at once on a connection error: with
   * Redis away the API still starts and its health says so.
   */
  async connect(): Promise<void> {
    await Promise.all([settled(this.pub), settled(this.sub)]);
  }

  override createIOServer(port: number, options?: IoServerOptions): IoServer {
    const server = super.createIOServer(port, {
      ...options,
      cors: { origin: this.config.dashboardOrigins, credentials: true },
    } as IoServerOptions);
    server.adapter(createAdapter(this.pub, this.sub, { key: socketIoKey(this.config) }) as never);
    return server;
  }

  /**
   * Nest closes each namespace's server, then disposes the adapter once: the
   * shared clients end here (QUIT answers after the UNSUBSCRIBEs queued before it).
   */
  override async dispose(): Promise<void> {
    await super.dispose();
    await Promise.all([this.pub, this.sub].map(closeRedis));
  }
}

const SETTLE_TIMEOUT_MS = 2000;

/** Resolves once the client is ready, has failed to connect, or after a short wait. */
function settled(client: Redis): Promise<void> {
  if (client.status === 'ready' || client.status === 'end') return Promise.resolve();
  return new Promise((resolve) => {
    const events = ['ready', 'error', 'end'] as const;
    const done = () => {
      clearTimeout(timer);
      for (const event of events) client.off(event, done);
      resolve();
    };
    const timer = setTimeout(done, SETTLE_TIMEOUT_MS);
    for (const event of events) client.once(event, done);
  });
}
