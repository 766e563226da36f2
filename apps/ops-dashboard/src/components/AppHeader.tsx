import type { PrincipalView } from '@omt/contracts';
import type { OpsConnection } from '../api/ops-connection';
import { followLink } from '../routing/router';
import { ConnectionBadge } from './ConnectionBadge';

export function AppHeader({
  connection,
  principal,
  onLogout,
}: {
  connection: OpsConnection;
  principal: PrincipalView;
  onLogout: () => void;
}) {
  return (
    <header className="app-header">
      <div className="app-header__brand">
        <span className="app-header__logo" aria-hidden="true">
          omt
        </span>
        <a className="app-header__title" href="/" onClick={followLink}>
          omt operations
        </a>
      </div>
      <div className="app-header__side">
        <ConnectionBadge connection={connection} />
        <span className="app-header__user" title={principal.role}>
          {principal.name}
        </span>
        <button type="button" className="button" onClick={onLogout}>
          Log out
        </button>
      </div>
    </header>
  );
}
