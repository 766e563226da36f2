import type { Namespace, Socket } from 'socket.io';
import type { Logger } from 'pino';
import { isOmtError } from '@omt/contracts';
import type { Principal } from '../auth/principal';

/** Establishes who a socket is from its handshake; throws UNAUTHENTICATED when its credential is not (or no longer) valid. */
export type SocketAuthenticator = (socket: Socket) => Promise<Principal>;

type Next = (error?: Error) => void;

/** socket.io hands this message to the client's `connect_error`. */
function refused(error: unknown): Error {
  return new Error(isOmtError(error) ? error.message : 'Authentication failed.');
}

/**
 * Admits a socket to `namespace` only with a valid credential, and keeps
 * checking it while connected: every `intervalMs` each socket of this
 * process is authenticated again from its handshake and disconnected once
 * its credential has ended (a revoked agent token — reset or new code —, a
 * logout, an expired session). A check that fails for another reason (the
 * database away) keeps the socket: only a definite "no" ends it.
 */
export class SocketCredentials {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly namespace: Namespace,
    private readonly authenticate: SocketAuthenticator,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {
    namespace.use((socket, next: Next) => {
      authenticate(socket).then(
        (principal) => {
          socket.data.principal = principal;
          next();
        },
        (error: unknown) => next(refused(error)),
      );
    });
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The next round starts after this one settled, so a slow database is never asked twice at once. */
  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.recheckAll().finally(() => this.schedule()), this.intervalMs);
    this.timer.unref();
  }

  private async recheckAll(): Promise<void> {
    await Promise.all([...this.namespace.sockets.values()].map((socket) => this.recheck(socket)));
  }

  private async recheck(socket: Socket): Promise<void> {
    try {
      await this.authenticate(socket);
    } catch (error) {
      if (isOmtError(error) && (error.code === 'UNAUTHENTICATED' || error.code === 'AGENT_ACCESS_ENDED')) {
        this.logger.info(
          { namespace: this.namespace.name, socket: socket.id },
          'socket disconnected: its credential has ended',
        );
        socket.disconnect(true);
      } else if (!this.stopped) {
        this.logger.warn({ namespace: this.namespace.name, err: error }, 'could not check a socket credential again');
      }
    }
  }
}
