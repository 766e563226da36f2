import type { CheckReport } from '@omt/contracts';
import { StatusDot } from '../components/StatusDot';
import { Panel } from '../components/Panel';

export function ChecksPanel({ checks }: { checks: CheckReport | null }) {
  const failed = checks?.results.filter((r) => !r.passed).length ?? 0;
  return (
    <Panel
      title="Checks"
      meta={
        <>
          {checks === null
            ? 'not run yet'
            : checks.blocked
              ? 'blocked'
              : failed > 0
                ? `${failed} warning(s)`
                : 'all passed'}
        </>
      }
    >
      {checks === null ? (
        <p className="panel__empty">The agent has not sent its checks.</p>
      ) : (
        <ul className="checks" aria-label="Check results">
          {checks.results.map((result) => {
            const tone = result.passed ? 'ok' : result.severity === 'block' ? 'down' : 'warn';
            const verdict = result.passed ? 'passed' : result.severity === 'block' ? 'blocks' : 'warning';
            return (
              <li key={result.id} className={`checks__item checks__item--${tone}`} data-check={result.id}>
                <div className="checks__title">
                  <StatusDot tone={tone} /> <strong>{result.title}</strong>{' '}
                  <span className="muted small">{verdict}</span>
                </div>
                <div className="small">{result.message}</div>
                {!result.passed && result.fix && <div className="small muted">Fix: {result.fix}</div>}
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
}
