import { ErrorNote } from '../components/ErrorNote';
import { describeEvent } from '../components/labels';
import { StateBadge } from '../components/StateBadge';
import { StatusDot } from '../components/StatusDot';
import { useNow } from '../components/useNow';
import { formatAgo, formatCount, formatDuration } from '../format/format';
import { followLink, ticketHref } from '../routing/router';
import { useQueueHealth } from './useQueueHealth';

export function QueueHealthPanel() {
  const { health, error } = useQueueHealth();
  const now = useNow();

  return (
    <section className="panel" aria-labelledby="queues-title">
      <header className="panel__header">
        <h2 id="queues-title" className="panel__title">
          Queue health
        </h2>
        <span className="panel__meta">{health ? `measured ${formatAgo(health.at, now)}` : 'measuring…'}</span>
      </header>
      {error !== null && <ErrorNote error={error} what="Queue health is not available." />}
      {health && (
        <>
          <table className="table" aria-label="Jobs per queue">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col" className="num">
                  Waiting
                </th>
                <th scope="col" className="num">
                  Active
                </th>
                <th scope="col" className="num">
                  Delayed
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
              </tr>
            </thead>
            <tbody>
              {health.queues.map((queue) => (
                <tr key={queue.queue} data-queue={queue.queue}>
                  <th scope="row" className="mono">
                    {queue.queue}
                  </th>
                  <td className="num">{formatCount(queue.waiting)}</td>
                  <td className="num">{formatCount(queue.active)}</td>
                  <td className="num">{formatCount(queue.delayed)}</td>
                  <td className={queue.failed > 0 ? 'num text-down' : 'num'}>{formatCount(queue.failed)}</td>
                </tr>
              ))}
            </tbody>
          </table>

          <div className="panel__body">
            <h3 className="subhead">Stalled migrations</h3>
            <p className="muted small">
              Running with no progress for {formatDuration(health.stalledAfterMinutes * 60)} or longer.
            </p>
            {health.stalled.length === 0 ? (
              <p className="ok-line">
                <StatusDot tone="ok" /> None
              </p>
            ) : (
              <ul className="stalled" aria-label="Stalled migrations">
                {health.stalled.map((stalled) => (
                  <li key={stalled.ticket.id} className="stalled__item">
                    <a href={ticketHref(stalled.ticket.id)} onClick={followLink}>
                      {stalled.ticket.companyName}
                    </a>{' '}
                    <span className="mono muted">{stalled.ticket.customerId}</span> <StateBadge state={stalled.ticket.state} stalled />
                    <div className="small">
                      silent for {formatAgo(stalled.lastProgressAt, now).replace(/ ago$/, '')}
                      {stalled.lastEvent && <> · last: {describeEvent(stalled.lastEvent)}</>}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </>
      )}
    </section>
  );
}
