import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { createRedis } from '../redis/redis';

// Typed from Nest's own socket.io copy, which may differ from the app's.
type IoServer = ReturnType<IoAdapter['createIOServer']>;
type IoServerOptions = Parameters<IoAdapter['createIOServer']>[1];

/**
 * socket.io over Redis pub/sub, so that several API processes behind a load
 * balancer feed every dashboard. CORS is limited to the dashboard's origin.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly pub: Redis;
  private readonly sub: Redis;

  constructor(
    app: INestApplicationContext,
    redisUrl: string,
    private readonly key: string,
    private readonly origin: string,
  ) {
    super(app);
    this.pub = createRedis(redisUrl, 'pubsub');
    this.sub = this.pub.duplicate();
  }

  override createIOServer(port: number, options?: IoServerOptions): IoServer {
    const server = super.createIOServer(port, { ...options, cors: { origin: this.origin, credentials: true } } as IoServerOptions);
    server.adapter(createAdapter(this.pub, this.sub, { key: this.key }) as never);
    return server;
  }

  override async close(server: IoServer): Promise<void> {
    await super.close(server);
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
