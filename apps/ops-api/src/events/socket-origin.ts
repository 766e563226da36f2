import type { Namespace, Socket } from 'socket.io';
import { isOmtError } from '@omt/contracts';
import { assertAllowedOrigin, ownOrigin } from '../auth/cross-site';
import type { AppConfig } from '../config/config';

/**
 * Refuses handshakes from pages of other origins. A browser sends the
 * session cookie with a WebSocket opened by any page, and CORS does not
 * apply to WebSockets, so without this any site the operator visits could
 * read the live feed. Register before the credential check: a refused
 * handshake costs no session lookup.
 */
export function refuseForeignOrigins(
  namespace: Namespace,
  config: Pick<AppConfig, 'dashboardOrigins' | 'trustProxy'>,
): void {
  namespace.use((socket, next) => {
    try {
      assertAllowedOrigin(socket.handshake.headers, handshakeOrigin(socket, config), config.dashboardOrigins);
      next();
    } catch (error) {
      next(new Error(isOmtError(error) ? error.message : 'Origin refused.'));
    }
  });
}

/**
 * The API's own origin as the browser saw it. Express is not in the
 * handshake's path, so the proxy's X-Forwarded-Proto and -Host are read
 * here, and only when a proxy is trusted at all (a browser cannot set them
 * on a WebSocket either way).
 */
function handshakeOrigin(socket: Socket, config: Pick<AppConfig, 'trustProxy'>): string | null {
  const headers = socket.handshake.headers;
  const behindProxy = config.trustProxy !== false && config.trustProxy !== 0;
  const forwarded = (name: string) => {
    const value = behindProxy ? headers[name] : undefined;
    return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
  };
  const proto = forwarded('x-forwarded-proto');
  const protocol = proto === 'https' || proto === 'http' ? proto : socket.handshake.secure ? 'https' : 'http';
  return ownOrigin(protocol, forwarded('x-forwarded-host') ?? headers.host);
}
