import type { OpsConnection } from '../api/ops-connection';
import { ConnectionBadge } from './ConnectionBadge';

export function AppHeader({ connection }: { connection: OpsConnection }) {
  return (
    <header className="app-header">
      <div className="app-header__brand">
        <span className="app-header__logo" aria-hidden="true">
          omt
        </span>
        <h1 className="app-header__title">omt operations</h1>
      </div>
      <ConnectionBadge connection={connection} />
    </header>
  );
}
