import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  SOCKET_NAMESPACES,
  agentServerEvents,
  opsServerEvents,
  parseOrThrow,
  type AgentServerToClient,
  type OpsServerToClient,
} from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { LOGGER } from '../common/logger.module';
import { closeRedis, createRedis } from '../redis/redis';
import { AgentGateway, OpsGateway, ticketRoom } from './socket-gateways';
import { socketIoKey } from './redis-io.adapter';

/**
 * What this service does with one namespace's sockets, whether through the
 * process's own socket.io server or the Redis emitter: both take the
 * payloads the contracts' event maps have already checked.
 */
interface Sockets {
  emit(event: string, payload: unknown): unknown;
  to(room: string): { emit(event: string, payload: unknown): unknown };
  in(room: string): { disconnectSockets(close: boolean): unknown };
}

/**
 * The single way to push an event: the payload is checked against the
 * contracts' event map before it leaves, so the dashboard can trust it.
 * An API process emits through its socket.io server (whose Redis adapter
 * reaches the other API processes); a process without one (the worker)
 * publishes the same messages with the Redis emitter on the adapter's key,
 * so the API processes deliver them to their sockets.
 */
@Injectable()
export class EventsService implements OnModuleDestroy {
  private redis: Redis | undefined;
  private emitter: Emitter | undefined;

  constructor(
    private readonly ops: OpsGateway,
    private readonly agents: AgentGateway,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  toOps<E extends keyof OpsServerToClient>(event: E, payload: Parameters<OpsServerToClient[E]>[0]): void {
    const data = parseOrThrow(opsServerEvents[event], payload, `${event} event`);
    this.sockets('ops').emit(event, data);
  }

  /** To the agent of one ticket: agents join the room named after their ticket id. */
  toAgent<E extends keyof AgentServerToClient>(
    ticketId: string,
    event: E,
    payload: Parameters<AgentServerToClient[E]>[0],
  ): void {
    const data = parseOrThrow(agentServerEvents[event], payload, `${event} event`);
    this.sockets('agent').to(ticketRoom(ticketId)).emit(event, data);
  }

  /** Ends the sockets of a ticket's agents at once (its tokens were revoked), in every API process. */
  disconnectAgents(ticketId: string): void {
    this.sockets('agent').in(ticketRoom(ticketId)).disconnectSockets(true);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.redis) await closeRedis(this.redis);
  }

  private sockets(namespace: keyof typeof SOCKET_NAMESPACES): Sockets {
    const server = namespace === 'ops' ? this.ops.server : this.agents.server;
    // Both are typed by the contracts' maps; this service has checked the payload against them already.
    return (server ?? this.redisEmitter().of(SOCKET_NAMESPACES[namespace])) as unknown as Sockets;
  }

  /** Made on first use: only a process without a socket.io server needs it. */
  private redisEmitter(): Emitter {
    if (!this.emitter) {
      const redis = createRedis(this.config, 'pubsub', 'socket.io-emitter');
      redis.on('error', (error) => this.logger.warn({ err: error }, 'socket.io emitter: Redis error'));
      this.redis = redis;
      // The emitter does not wait for PUBLISH; a publish lost on shutdown or to a Redis outage is logged, not unhandled.
      const publisher = {
        publish: (channel: string, message: unknown) =>
          redis
            .publish(channel, message as Buffer)
            .catch((error: unknown) => this.logger.warn({ err: error }, 'socket.io emitter: event not published')),
      };
      this.emitter = new Emitter(publisher, { key: socketIoKey(this.config) });
    }
    return this.emitter;
  }
}
