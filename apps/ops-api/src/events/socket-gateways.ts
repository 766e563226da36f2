import { Inject, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import type { Logger } from 'pino';
import { OmtError, SOCKET_NAMESPACES, type AgentServerToClient, type OpsServerToClient } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { LOGGER } from '../common/logger.module';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../auth/principal';
import { SESSION_COOKIE, readCookie } from '../auth/session-cookie';
import { SocketCredentials, type SocketAuthenticator } from './socket-credentials';
import { refuseForeignOrigins } from './socket-origin';

/** The room an agent joins: events of its ticket go there. */
export function ticketRoom(ticketId: string): string {
  return `ticket:${ticketId}`;
}

const unauthenticated = (message: string) => new OmtError('UNAUTHENTICATED', message);

/** A bearer token from the handshake: `auth: { token }` (browsers, socket.io-client) or the Authorization header. */
function handshakeToken(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === 'string') return auth.token;
  return /^Bearer\s+(\S+)$/i.exec(socket.handshake.headers.authorization ?? '')?.[1];
}

/** What both gateways share: their namespace admits and keeps only sockets with a valid credential. */
abstract class AuthenticatedGateway implements OnGatewayInit, OnModuleDestroy {
  private credentials: SocketCredentials | undefined;

  constructor(
    protected readonly auth: AuthService,
    @Inject(APP_CONFIG) protected readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  protected abstract authenticate: SocketAuthenticator;

  afterInit(namespace: Namespace): void {
    this.credentials = new SocketCredentials(
      namespace,
      this.authenticate,
      this.config.socketRecheckSeconds * 1000,
      this.logger,
    );
  }

  onModuleDestroy(): void {
    this.credentials?.stop();
  }
}

/** `/ops`: the dashboard's live feed; only ops and admin sessions (the httpOnly cookie) from the dashboard's origin may join. */
@WebSocketGateway({ namespace: SOCKET_NAMESPACES.ops })
export class OpsGateway extends AuthenticatedGateway {
  @WebSocketServer() server!: Namespace<Record<string, never>, OpsServerToClient>;

  override afterInit(namespace: Namespace): void {
    refuseForeignOrigins(namespace, this.config); // first: the cookie is ambient, a foreign page's socket carries it too
    super.afterInit(namespace);
  }

  protected authenticate: SocketAuthenticator = async (socket) => {
    const token = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
    if (!token) throw unauthenticated('Log in to the dashboard first.');
    return this.auth.authenticateSession(token);
  };
}

/** `/agent`: commands to the onsite agents, progress from them. An agent token joins the room of its ticket only. */
@WebSocketGateway({ namespace: SOCKET_NAMESPACES.agent })
export class AgentGateway extends AuthenticatedGateway implements OnGatewayConnection {
  @WebSocketServer() server!: Namespace<Record<string, never>, AgentServerToClient>;

  protected authenticate: SocketAuthenticator = async (socket) => {
    const token = handshakeToken(socket);
    if (!token) throw unauthenticated('Send the agent token as auth.token.');
    const principal = await this.auth.authenticateBearer(token);
    if (principal.kind !== 'agent') throw unauthenticated('Only agent tokens may join /agent.');
    return principal;
  };

  /** Joined once connected (rooms set in middleware are not guaranteed with the Redis adapter). */
  async handleConnection(socket: Socket): Promise<void> {
    const principal = socket.data.principal as Principal | undefined;
    if (principal?.kind === 'agent') await socket.join(ticketRoom(principal.ticketId));
  }
}
