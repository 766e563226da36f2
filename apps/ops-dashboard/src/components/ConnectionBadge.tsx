import { describeOpsConnection, type OpsConnection } from '../api/ops-connection';
import type { Tone } from '../health/health-format';
import { StatusDot } from './StatusDot';

const TONES: Record<OpsConnection['status'], Tone> = {
  connecting: 'unknown',
  connected: 'ok',
  reconnecting: 'warn',
  refused: 'down',
  disconnected: 'down',
};

export function ConnectionBadge({ connection }: { connection: OpsConnection }) {
  const label = describeOpsConnection(connection);
  return (
    <div className="connection-badge" role="status" aria-live="polite" title={label}>
      <StatusDot tone={TONES[connection.status]} />
      <span className="connection-badge__name">Live feed</span>
      <span className="connection-badge__label">{label}</span>
    </div>
  );
}
