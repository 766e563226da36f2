import { Inject, Injectable } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import type { Logger } from 'pino';
import {
  SOCKET_NAMESPACES,
  agentServerEvents,
  isOmtError,
  opsServerEvents,
  parseOrThrow,
  type AgentServerToClient,
  type OpsServerToClient,
} from '@omt/contracts';
import { LOGGER } from '../common/logger.module';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../auth/principal';
import { SESSION_COOKIE, readCookie } from '../auth/session-cookie';

type Next = (error?: Error) => void;

/** socket.io hands this message to the client's `connect_error`. */
function refused(error: unknown): Error {
  return new Error(isOmtError(error) ? error.message : 'Authentication failed.');
}

/** A bearer token from the handshake: `auth: { token }` (browsers, socket.io-client) or the Authorization header. */
function handshakeToken(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === 'string') return auth.token;
  return /^Bearer\s+(\S+)$/i.exec(socket.handshake.headers.authorization ?? '')?.[1];
}

/** `/ops`: the dashboard's live feed; only ops and admin sessions (the httpOnly cookie) may join. */
@WebSocketGateway({ namespace: SOCKET_NAMESPACES.ops })
export class OpsGateway implements OnGatewayInit {
  @WebSocketServer() server!: Namespace<Record<string, never>, OpsServerToClient>;

  constructor(private readonly auth: AuthService) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next: Next) => {
      const token = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
      if (!token) return next(new Error('Log in to the dashboard first.'));
      this.auth.authenticateSession(token).then(
        (principal: Principal) => {
          socket.data.principal = principal;
          next();
        },
        (error: unknown) => next(refused(error)),
      );
    });
  }
}

/** `/agent`: commands to the onsite agents, progress from them. An agent token joins the room of its ticket only. */
@WebSocketGateway({ namespace: SOCKET_NAMESPACES.agent })
export class AgentGateway implements OnGatewayInit, OnGatewayConnection {
  @WebSocketServer() server!: Namespace<Record<string, never>, AgentServerToClient>;

  constructor(private readonly auth: AuthService) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next: Next) => {
      const token = handshakeToken(socket);
      if (!token) return next(new Error('Send the agent token as auth.token.'));
      this.auth.authenticateBearer(token).then(
        (principal: Principal) => {
          if (principal.kind !== 'agent') return next(new Error('Only agent tokens may join /agent.'));
          socket.data.principal = principal;
          next();
        },
        (error: unknown) => next(refused(error)),
      );
    });
  }

  /** Joined once connected (rooms set in middleware are not guaranteed with the Redis adapter). */
  async handleConnection(socket: Socket): Promise<void> {
    const principal = socket.data.principal as Principal | undefined;
    if (principal?.kind === 'agent') await socket.join(`ticket:${principal.ticketId}`);
  }
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
