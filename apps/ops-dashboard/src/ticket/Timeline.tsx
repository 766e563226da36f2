import type { TicketEvent } from '@omt/contracts';
import { ErrorNote } from '../components/ErrorNote';
import { STATE_LABELS, actionLabel, actorLabel } from '../components/labels';
import { formatTime } from '../format/format';
import { Panel } from '../components/Panel';

/** The audit trail, newest first: what happened, who did it, and why. */
export function Timeline({ events, error }: { events: TicketEvent[] | null; error: unknown }) {
  return (
    <Panel title="Timeline" meta={events && <>{events.length} events</>}>
      {error !== null && <ErrorNote error={error} what="The audit trail could not be loaded." />}
      {events && (
        <ol className="timeline" aria-label="Audit trail">
          {[...events].reverse().map((event) => (
            <li key={event.id} className="timeline__item">
              <time dateTime={event.at} className="timeline__time small muted">
                {formatTime(event.at)}
              </time>
              <div>
                <strong data-action={event.action}>{actionLabel(event.action)}</strong>
                {event.from !== null || event.to !== null ? (
                  <span>
                    {' '}
                    {event.from ? STATE_LABELS[event.from] : '—'} → {event.to ? STATE_LABELS[event.to] : '—'}
                  </span>
                ) : null}
              </div>
              <div className="small muted">
                by <span title={event.actor}>{actorLabel(event.actor)}</span>
                {event.reason && <> · {event.reason}</>}
              </div>
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}
