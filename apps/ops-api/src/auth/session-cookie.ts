import type { CookieOptions } from 'express';

export const SESSION_COOKIE = 'omt_session';

/** httpOnly (no script reads it), SameSite=Lax (no cross-site POST carries it), Secure when served over HTTPS. */
export function sessionCookieOptions(secure: boolean, expires?: Date): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', ...(expires ? { expires } : {}) };
}

/** Reads one cookie from a raw `Cookie` header (socket.io handshakes have no cookie-parser). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
