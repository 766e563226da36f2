import type { PrincipalView } from '@omt/contracts';
import { useEffect, useMemo, useRef, useState } from 'react';
import { LiveContext } from './api/live';
import { opsApi } from './api/ops-api';
import { useOpsSocket } from './api/useOpsSocket';
import { LoginPage } from './auth/LoginPage';
import { useSession } from './auth/useSession';
import { AppHeader } from './components/AppHeader';
import { ErrorNote } from './components/ErrorNote';
import { HealthPanel } from './health/HealthPanel';
import { QueueHealthPanel } from './queues/QueueHealthPanel';
import { followLink, routeOf, usePath } from './routing/router';
import { TicketPage } from './ticket/TicketPage';
import { TicketsPage } from './tickets/TicketsPage';

export function App() {
  const { session, signedIn, signOut, retry, expire } = useSession();

  switch (session.status) {
    case 'checking':
      return <p className="splash">Loading…</p>;
    case 'anonymous':
      return <LoginPage expired={session.expired} onLoggedIn={signedIn} />;
    case 'unreachable':
      return (
        <main className="splash">
          <ErrorNote error={session.error} what="The API cannot be reached." />
          <button type="button" className="button" onClick={retry}>
            Try again
          </button>
        </main>
      );
    case 'signed-in':
      return <Shell principal={session.principal} onLogout={() => void signOut()} onExpired={expire} />;
  }
}

/** The signed-in page: one `/ops` connection shared by every panel. */
function Shell({
  principal,
  onLogout,
  onExpired,
}: {
  principal: PrincipalView;
  onLogout: () => void;
  onExpired: () => void;
}) {
  const { socket, connection } = useOpsSocket();
  const epoch = useReconnections(connection.status);
  const live = useMemo(() => ({ socket, connection, epoch }), [socket, connection, epoch]);
  const route = routeOf(usePath());

  // The socket is refused when the session has ended: if the API agrees, back to the login.
  useEffect(() => {
    if (connection.status !== 'refused') return;
    opsApi.me().then(
      (me) => (me ? undefined : onExpired()),
      () => undefined,
    );
  }, [connection.status, onExpired]);

  return (
    <LiveContext.Provider value={live}>
      <div className="app">
        <AppHeader connection={connection} principal={principal} onLogout={onLogout} />
        {route.page === 'tickets' && (
          <main className="app__main app__main--with-side">
            <TicketsPage />
            <aside className="app__side" aria-label="System">
              <QueueHealthPanel />
              <HealthPanel />
            </aside>
          </main>
        )}
        {route.page === 'ticket' && (
          <main className="app__main">
            <TicketPage key={route.id} ticketId={route.id} />
          </main>
        )}
        {route.page === 'not-found' && (
          <main className="app__main">
            <p className="panel panel__empty">
              Nothing lives at <span className="mono">{route.path}</span>.{' '}
              <a href="/" onClick={followLink}>
                Back to the tickets
              </a>
            </p>
          </main>
        )}
      </div>
    </LiveContext.Provider>
  );
}

/** 0 until the socket reconnects, then +1 per reconnection. */
function useReconnections(status: string): number {
  const connects = useRef(0);
  const [epoch, setEpoch] = useState(0);
  useEffect(() => {
    if (status !== 'connected') return;
    connects.current += 1;
    if (connects.current > 1) setEpoch(connects.current - 1);
  }, [status]);
  return epoch;
}
