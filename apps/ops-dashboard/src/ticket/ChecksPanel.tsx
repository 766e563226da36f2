import type { CheckReport } from '@omt/contracts';
import { StatusDot } from '../components/StatusDot';

export function ChecksPanel({ checks }: { checks: CheckReport | null }) {
  const failed = checks?.results.filter((r) => !r.passed).length ?? 0;
  return (
    <section className="panel" aria-labelledby="checks-title">
      <header className="panel__header">
        <h2 id="checks-title" className="panel__title">
          Checks
        </h2>
        <span className="panel__meta">
          {checks === null ? 'not run yet' : checks.blocked ? 'blocked' : failed > 0 ? `${failed} warning(s)` : 'all passed'}
        </span>
      </header>
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
                  <StatusDot tone={tone} /> <strong>{result.title}</strong> <span className="muted small">{verdict}</span>
                </div>
                <div className="small">{result.message}</div>
                {!result.passed && result.fix && <div className="small muted">Fix: {result.fix}</div>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
