import { useOpsSocket } from './api/useOpsSocket';
import { AppHeader } from './components/AppHeader';
import { HealthPanel } from './health/HealthPanel';

export function App() {
  // One `/ops` connection for the whole page; feature panels (tickets, queues)
  // receive `socket` and subscribe with `useOpsEvent`.
  const { connection } = useOpsSocket();

  return (
    <div className="app">
      <AppHeader connection={connection} />
      <main className="app__main">
        <HealthPanel />
      </main>
    </div>
  );
}
