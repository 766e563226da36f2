import type { HealthResponse } from '@omt/contracts';
import { StatusDot } from '../components/StatusDot';
import { formatDuration } from '../format/format';
import { DEPENDENCY_LABELS, formatLatency, summarizeHealth } from './health-format';
import { HEALTH_POLL_MS, useHealth } from './useHealth';
import { Panel } from '../components/Panel';

export function HealthPanel() {
  const { health, error, receivedAt, checkedAt } = useHealth();
  const summary = health ? summarizeHealth(health) : null;
  const stale = error !== null && health !== null;

  return (
    <Panel
      title="System health"
      meta={
        <>
          {checkedAt ? `checked ${checkedAt.toLocaleTimeString()}` : 'checking…'} · every {HEALTH_POLL_MS / 1000} s
        </>
      }
    >
      {error && (
        <div className="alert alert--down" role="alert">
          <strong>{error.unreachable ? 'The API is unreachable.' : 'The health check failed.'}</strong> {error.message}
          {receivedAt && <> Last answer at {receivedAt.toLocaleTimeString()}; the figures below may be out of date.</>}
          {!receivedAt && <> Retrying every {HEALTH_POLL_MS / 1000} s.</>}
        </div>
      )}

      {!health && !error && <p className="panel__empty">Waiting for the first answer from the API…</p>}

      {health && summary && (
        <div className={stale ? 'health health--stale' : 'health'}>
          <p className={`health__summary health__summary--${summary.tone}`}>
            <StatusDot tone={summary.tone} />
            {summary.headline}
          </p>
          <dl className="facts">
            <div className="facts__item">
              <dt>Status</dt>
              <dd>{health.status}</dd>
            </div>
            <div className="facts__item">
              <dt>Version</dt>
              <dd className="mono">{health.version}</dd>
            </div>
            <div className="facts__item">
              <dt>Uptime</dt>
              <dd title={`${Math.floor(health.uptimeSeconds)} s`}>{formatDuration(health.uptimeSeconds)}</dd>
            </div>
          </dl>
          <DependencyTable dependencies={health.dependencies} />
        </div>
      )}
    </Panel>
  );
}

function DependencyTable({ dependencies }: { dependencies: HealthResponse['dependencies'] }) {
  const names = Object.keys(DEPENDENCY_LABELS) as Array<keyof typeof DEPENDENCY_LABELS>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Dependency</th>
          <th scope="col">Status</th>
          <th scope="col">Latency / error</th>
        </tr>
      </thead>
      <tbody>
        {names.map((name) => {
          const dependency = dependencies[name];
          const up = dependency.status === 'up';
          return (
            <tr key={name}>
              <th scope="row">{DEPENDENCY_LABELS[name]}</th>
              <td>
                <StatusDot tone={up ? 'ok' : 'down'} /> {dependency.status}
              </td>
              <td className={up ? 'mono' : 'mono text-down'}>
                {up ? formatLatency(dependency.latencyMs) || '—' : (dependency.error ?? 'no error reported')}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
