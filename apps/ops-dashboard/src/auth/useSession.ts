import type { PrincipalView } from '@omt/contracts';
import { useCallback, useEffect, useState } from 'react';
import { opsApi, setUnauthenticatedHandler } from '../api/ops-api';

export type Session =
  | { status: 'checking' }
  /** `expired`: there was a session and the API stopped accepting it. */
  | { status: 'anonymous'; expired: boolean }
  | { status: 'signed-in'; principal: PrincipalView }
  | { status: 'unreachable'; error: unknown };

/**
 * Who is using the page. Asks `GET /api/auth/me` once; after that every 401
 * from any call (the session expired, or was ended elsewhere) sends the page
 * back to the login screen.
 */
export function useSession() {
  const [session, setSession] = useState<Session>({ status: 'checking' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setUnauthenticatedHandler(() => setSession({ status: 'anonymous', expired: true }));
    return () => setUnauthenticatedHandler(() => undefined);
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    opsApi.me(controller.signal).then(
      (principal) =>
        setSession(principal ? { status: 'signed-in', principal } : { status: 'anonymous', expired: false }),
      (error: unknown) => {
        if (!controller.signal.aborted) setSession({ status: 'unreachable', error });
      },
    );
    return () => controller.abort();
  }, [attempt]);

  const expire = useCallback(() => setSession({ status: 'anonymous', expired: true }), []);
  const signedIn = useCallback((principal: PrincipalView) => setSession({ status: 'signed-in', principal }), []);
  const retry = useCallback(() => {
    setSession({ status: 'checking' });
    setAttempt((n) => n + 1);
  }, []);
  const signOut = useCallback(async () => {
    try {
      await opsApi.logout();
    } finally {
      setSession({ status: 'anonymous', expired: false });
    }
  }, []);

  return { session, signedIn, signOut, retry, expire };
}
