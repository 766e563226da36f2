import type { MigrationState } from '@omt/contracts';
import { STATE_LABELS, STATE_TONES } from './labels';

export function StateBadge({ state, stalled = false }: { state: MigrationState; stalled?: boolean }) {
  return (
    <span className="badge-group">
      <span className={`badge badge--${STATE_TONES[state]}`} data-state={state}>
        {STATE_LABELS[state]}
      </span>
      {stalled && <span className="badge badge--down">stalled</span>}
    </span>
  );
}
