import { Inject, Injectable } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import type { Logger } from 'pino';
import {
  SOCKET_NAMESPACES,
  agentServerEvents,
  opsServerEvents,
  parseOrThrow,
  type AgentServerToClient,
  type OpsServerToClient,
} from '@omt/contracts';
import { LOGGER } from '../common/logger.module';

/** `/ops`: the dashboard's live feed. Who may join is decided by the auth feature. */
@WebSocketGateway({ namespace: SOCKET_NAMESPACES.ops })
export class OpsGateway {
  @WebSocketServer() server!: Namespace<Record<string, never>, OpsServerToClient>;
}

/** `/agent`: commands to the onsite agents, progress from them. */
@WebSocketGateway({ namespace: SOCKET_NAMESPACES.agent })
export class AgentGateway {
  @WebSocketServer() server!: Namespace<Record<string, never>, AgentServerToClient>;
}

/**
 * The single way to push an event: the payload is checked against the
 * contracts' event map before it leaves, so the dashboard can trust it.
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly ops: OpsGateway,
    private readonly agents: AgentGateway,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  toOps<E extends keyof OpsServerToClient>(event: E, payload: Parameters<OpsServerToClient[E]>[0]): void {
    const data = parseOrThrow(opsServerEvents[event], payload, `${event} event`);
    if (!this.ops.server) return this.logger.debug({ event }, 'no socket server in this process');
    (this.ops.server.emit as (e: string, p: unknown) => boolean)(event, data);
  }

  /** To the agent of one ticket: agents join the room named after their ticket id. */
  toAgent<E extends keyof AgentServerToClient>(
    ticketId: string,
    event: E,
    payload: Parameters<AgentServerToClient[E]>[0],
  ): void {
    const data = parseOrThrow(agentServerEvents[event], payload, `${event} event`);
    if (!this.agents.server) return this.logger.debug({ event }, 'no socket server in this process');
    (this.agents.server.to(`ticket:${ticketId}`).emit as (e: string, p: unknown) => boolean)(event, data);
  }
}
