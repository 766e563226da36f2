import type { IncomingHttpHeaders } from 'node:http';
import type { Request } from 'express';
import { OmtError } from '@omt/contracts';

/** Methods that change nothing: a cross-site page may trigger them, but never reads their answer (CORS). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The browser's defence against cross-site request forgery, for requests
 * that carry an ambient credential (the session cookie) or set one (login).
 * SameSite=Lax alone is not enough: a page on a sibling subdomain is
 * "same-site", and form posts and `text/plain` fetches need no CORS
 * preflight. So a change must come from the API's own origin or a
 * configured dashboard origin, and carry JSON (which a cross-origin page
 * can only send after a preflight that CORS refuses).
 */
export function assertSameOriginJson(request: Request, dashboardOrigins: readonly string[]): void {
  assertSameOrigin(request, dashboardOrigins);
  assertJsonChange(request);
}

/** The origin half: cheap, so the guard runs it before it looks the session up. */
export function assertSameOrigin(request: Request, dashboardOrigins: readonly string[]): void {
  if (SAFE_METHODS.has(request.method)) return;
  assertAllowedOrigin(request.headers, ownOrigin(request.protocol, request.host), dashboardOrigins);
}

/**
 * The body half. The guard runs it after the role check, so a logged-in
 * user on a route not theirs hears "forbidden", not "send JSON".
 */
export function assertJsonChange(request: Request): void {
  if (SAFE_METHODS.has(request.method)) return;
  assertJsonBody(request.headers);
}

/**
 * `Origin` present: it must be the API's own origin or a dashboard origin
 * (`null`, sent by sandboxed frames and after cross-site redirects, is
 * neither). Absent (old browsers, programs that hold no ambient cookie):
 * `Sec-Fetch-Site`, when a browser sends it, must not say another site.
 */
export function assertAllowedOrigin(
  headers: IncomingHttpHeaders,
  own: string | null,
  dashboardOrigins: readonly string[],
): void {
  const origin = headers.origin;
  if (origin !== undefined) {
    if (origin === own || dashboardOrigins.includes(origin)) return;
    throw new OmtError(
      'CROSS_ORIGIN_REFUSED',
      `Refused: the request comes from a page of ${origin.slice(0, 200)}, which is not the dashboard. Use the dashboard itself; an operator can allow another origin with OMT_DASHBOARD_ORIGIN.`,
      [{ path: 'Origin', message: 'not the dashboard origin' }],
    );
  }
  const site = headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin' || site === 'none') return;
  throw new OmtError(
    'CROSS_ORIGIN_REFUSED',
    `Refused: the browser says this request comes from another site (Sec-Fetch-Site: ${String(site).slice(0, 40)}). Use the dashboard itself.`,
    [{ path: 'Sec-Fetch-Site', message: 'not same-origin' }],
  );
}

/** A body, if any, must be declared JSON; a request without one (an action with no reason) needs no type. */
function assertJsonBody(headers: IncomingHttpHeaders): void {
  const type = headers['content-type'];
  const hasBody = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
  if (type === undefined ? !hasBody : isJson(type)) return;
  throw new OmtError(
    'UNSUPPORTED_MEDIA_TYPE',
    `This request needs a JSON body (Content-Type: application/json), not ${type ? type.slice(0, 100) : 'an undeclared one'}.`,
    [{ path: 'Content-Type', message: 'must be application/json' }],
  );
}

function isJson(contentType: string): boolean {
  return contentType.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** `scheme://host[:port]` as a browser writes it in `Origin` (lower case, default port dropped); null if Host is unusable. */
export function ownOrigin(protocol: string, host: string | undefined): string | null {
  if (!host) return null;
  try {
    return new URL(`${protocol}://${host}`).origin;
  } catch {
    return null;
  }
}
