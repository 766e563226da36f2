import type { JobName, QueueName, TicketFailure } from '@omt/contracts';
import { useState } from 'react';
import { describeError, opsApi } from '../api/ops-api';
import { JOB_LABELS, QUEUE_LABELS, shortId } from '../components/labels';
import { formatTime } from '../format/format';
import { Panel } from '../components/Panel';

/** Failed jobs of the ticket, newest first, each with its error and a Retry button. */
export function FailuresPanel({
  ticketId,
  failures,
  onRetried,
}: {
  ticketId: string;
  failures: TicketFailure[];
  onRetried: () => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ jobId: string; error: string | null } | null>(null);

  const retry = async (failure: TicketFailure) => {
    setBusy(failure.jobId);
    setOutcome(null);
    try {
      await opsApi.retryFailure(ticketId, failure.jobId);
      setOutcome({ jobId: failure.jobId, error: null });
      onRetried();
    } catch (error) {
      setOutcome({ jobId: failure.jobId, error: describeError(error) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <Panel
      title="Errors"
      meta={<span className={failures.length > 0 ? 'text-down' : undefined}>{failures.length} failed job(s)</span>}
    >
      {outcome && (
        <p
          className={outcome.error ? 'alert alert--down' : 'alert alert--ok'}
          role={outcome.error ? 'alert' : 'status'}
        >
          {outcome.error
            ? `Retry of job ${shortId(outcome.jobId)} failed: ${outcome.error}`
            : `Job ${shortId(outcome.jobId)} queued again.`}
        </p>
      )}
      {failures.length === 0 ? (
        <p className="panel__empty">No failed jobs.</p>
      ) : (
        <ul className="failures" aria-label="Failed jobs">
          {failures.map((failure) => (
            <li key={`${failure.queue}/${failure.jobId}`} className="failures__item" data-job-id={failure.jobId}>
              <div className="failures__head">
                <div>
                  <strong title={failure.jobName}>
                    Could not {JOB_LABELS[failure.jobName as JobName] ?? failure.jobName}
                  </strong>{' '}
                  <span className="small muted">
                    {QUEUE_LABELS[failure.queue as QueueName] ?? failure.queue} queue, job{' '}
                    <span className="mono" title={failure.jobId}>
                      {shortId(failure.jobId)}
                    </span>
                  </span>
                </div>
                <button
                  type="button"
                  className="button button--primary"
                  aria-label={`Retry job ${failure.jobId}`}
                  disabled={busy !== null}
                  onClick={() => void retry(failure)}
                >
                  {busy === failure.jobId ? 'Retrying…' : 'Retry'}
                </button>
              </div>
              <pre className="failures__error">{failure.error}</pre>
              <div className="small muted">
                {failure.attemptsMade} attempt(s) · failed {formatTime(failure.failedAt)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
