import { judgeChecksAgainstPlan, type CheckReport, type MigrationPlan } from '@omt/contracts';
import { StatusDot } from '../components/StatusDot';
import { Panel } from '../components/Panel';

/** The checks report, its blocking findings judged against the stored plan as the API judges them (fixed in the plan or not). */
export function ChecksPanel({ checks, plan }: { checks: CheckReport | null; plan: MigrationPlan | null }) {
  const failed = checks?.results.filter((r) => !r.passed).length ?? 0;
  const judged = checks && judgeChecksAgainstPlan(checks, plan);
  const verdicts = new Map(judged?.findings.map((f) => [f.id, f]));
  return (
    <Panel
      title="Checks"
      meta={
        <>
          {checks === null
            ? 'not run yet'
            : judged?.blocked
              ? 'blocked'
              : failed > 0
                ? `${failed} not passed, none blocking`
                : 'all passed'}
        </>
      }
    >
      {checks === null ? (
        <p className="panel__empty">The agent has not sent its checks.</p>
      ) : (
        <ul className="checks" aria-label="Check results">
          {checks.results.map((result) => {
            const inPlan = verdicts.get(result.id);
            const resolved = inPlan?.resolved ?? false;
            const tone = result.passed || resolved ? 'ok' : result.severity === 'block' ? 'down' : 'warn';
            const verdict = result.passed
              ? 'passed'
              : resolved
                ? 'resolved by the plan'
                : inPlan?.planResolvable
                  ? 'blocks until the plan resolves it'
                  : result.severity === 'block'
                    ? 'blocks'
                    : 'warning';
            return (
              <li key={result.id} className={`checks__item checks__item--${tone}`} data-check={result.id}>
                <div className="checks__title">
                  <StatusDot tone={tone} /> <strong>{result.title}</strong>{' '}
                  <span className="muted small">{verdict}</span>
                </div>
                <div className="small">{result.message}</div>
                {!result.passed && !resolved && result.fix && <div className="small muted">Fix: {result.fix}</div>}
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
}
