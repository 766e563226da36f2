import type { QueueCounts, QueueName } from '@omt/contracts';
import { ErrorNote } from '../components/ErrorNote';
import { QUEUE_LABELS, describeEvent } from '../components/labels';
import { StateBadge } from '../components/StateBadge';
import { StatusDot } from '../components/StatusDot';
import { useNow } from '../components/useNow';
import { formatAgo, formatCount, formatDuration } from '../format/format';
import { followLink, ticketHref } from '../routing/router';
import { useQueueHealth } from './useQueueHealth';
import { Panel } from '../components/Panel';

const COUNT_COLUMNS: ReadonlyArray<[keyof Omit<QueueCounts, 'queue'>, string]> = [
  ['waiting', 'Waiting'],
  ['active', 'Active'],
  ['delayed', 'Delayed'],
  ['failed', 'Failed'],
];

export function QueueHealthPanel() {
  const { health, error } = useQueueHealth();
  const now = useNow();

  return (
    <Panel title="Queue health" meta={health ? `measured ${formatAgo(health.at, now)}` : 'measuring…'}>
      {error !== null && <ErrorNote error={error} what="Queue health is not available." />}
      {health && (
        <>
          <table className="table queue-table" aria-label="Jobs per queue">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                {COUNT_COLUMNS.map(([, label]) => (
                  <th key={label} scope="col" className="num">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {health.queues.map((queue) => (
                <tr key={queue.queue} data-queue={queue.queue}>
                  <th scope="row" title={queue.queue}>
                    {QUEUE_LABELS[queue.queue as QueueName] ?? queue.queue}
                  </th>
                  {COUNT_COLUMNS.map(([key]) => (
                    <td key={key} className={key === 'failed' && queue.failed > 0 ? 'num text-down' : 'num'}>
                      {formatCount(queue[key])}
                    </td>
                  ))}
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
                    <span className="mono muted">{stalled.ticket.customerId}</span>{' '}
                    <StateBadge state={stalled.ticket.state} stalled />
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
    </Panel>
  );
}
