import {
  MIGRATION_KINDS,
  MIGRATION_STATES,
  isStalled,
  type MigrationKind,
  type MigrationState,
  type TicketOverview,
} from '@omt/contracts';
import { useDeferredValue, useState } from 'react';
import { ErrorNote } from '../components/ErrorNote';
import { STATE_LABELS, describeEvent } from '../components/labels';
import { ProgressBar } from '../components/ProgressBar';
import { StateBadge } from '../components/StateBadge';
import { useNow } from '../components/useNow';
import {
  UNKNOWN,
  formatAgo,
  formatByteRate,
  formatBytes,
  formatCount,
  formatDuration,
  formatEta,
  formatRowRate,
  formatTime,
} from '../format/format';
import { followLink, ticketHref } from '../routing/router';
import { matchesSearch } from './overview-store';
import { downtimeSeconds, etaSeconds, throughput, type ProgressSample } from './progress-math';
import { useTicketsOverview } from './useTicketsOverview';
import { Panel } from '../components/Panel';

export function TicketsPage() {
  const [stateFilter, setStateFilter] = useState<MigrationState | null>(null);
  const [kind, setKind] = useState<MigrationKind | null>(null);
  const [search, setSearch] = useState('');
  const deferredSearch = useDeferredValue(search);
  const { state, error, reload } = useTicketsOverview({ state: stateFilter, kind });
  const now = useNow();

  const shown = state.items.filter((item) => matchesSearch(item, deferredSearch));

  return (
    <Panel
      title="Tickets"
      className="tickets"
      meta={state.loaded ? `${shown.length} shown of ${state.total}` : 'loading…'}
    >
      <div className="filters" role="search">
        <label className="field field--inline">
          <span className="field__label">State</span>
          <select
            value={stateFilter ?? ''}
            onChange={(e) => setStateFilter((e.target.value || null) as MigrationState | null)}
          >
            <option value="">any state</option>
            {MIGRATION_STATES.map((s) => (
              <option key={s} value={s}>
                {STATE_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="field field--inline">
          <span className="field__label">Kind</span>
          <select value={kind ?? ''} onChange={(e) => setKind((e.target.value || null) as MigrationKind | null)}>
            <option value="">any kind</option>
            {MIGRATION_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label className="field field--inline field--grow">
          <span className="field__label">Search</span>
          <input
            type="search"
            placeholder="customer, company, serial, migrator…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
      </div>

      {error !== null && (
        <div className="panel__body">
          <ErrorNote error={error} what="The tickets could not be loaded." />
          <button type="button" className="button" onClick={reload}>
            Try again
          </button>
        </div>
      )}

      {state.loaded && shown.length === 0 && (
        <p className="panel__empty">
          {state.items.length === 0 ? 'No tickets match these filters.' : 'No ticket matches the search.'}
        </p>
      )}

      {shown.length > 0 && (
        <div className="table-scroll">
          <table className="table tickets__table" aria-label="Tickets">
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Kind</th>
                <th scope="col">State</th>
                <th scope="col">Progress</th>
                <th scope="col">Throughput</th>
                <th scope="col">ETA</th>
                <th scope="col">Downtime</th>
                <th scope="col">Last activity</th>
                <th scope="col">Migrator</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((item) => (
                <TicketRow
                  key={item.ticket.id}
                  item={item}
                  samples={state.samples[item.ticket.id] ?? []}
                  now={now}
                  stalledAfterMinutes={state.stalledAfterMinutes}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function TicketRow({
  item,
  samples,
  now,
  stalledAfterMinutes,
}: {
  item: TicketOverview;
  samples: readonly ProgressSample[];
  now: Date;
  stalledAfterMinutes: number;
}) {
  const { ticket, progress } = item;
  const timing = { uploadStartedAt: item.uploadStartedAt, finishedAt: item.finishedAt };
  const rates = throughput(samples, progress, timing, now.getTime());
  const started = item.uploadStartedAt !== null;
  const eta = started && item.finishedAt === null ? etaSeconds(progress, rates) : null;
  const downtime = downtimeSeconds(timing, now.getTime());
  const stalled = isStalled(ticket.state, item.lastProgressAt, now, stalledAfterMinutes);

  return (
    <tr data-ticket-id={ticket.id} className={stalled ? 'row--stalled' : undefined}>
      <th scope="row">
        <a href={ticketHref(ticket.id)} onClick={followLink} className="tickets__company">
          {ticket.companyName}
        </a>
        <div className="muted mono">{ticket.customerId}</div>
      </th>
      <td data-label="Kind">{ticket.kind}</td>
      <td data-label="State">
        <StateBadge state={ticket.state} stalled={stalled} />
      </td>
      <td className="tickets__progress" data-label="Progress">
        <ProgressBar
          label={`Rows of ${ticket.companyName}`}
          done={progress.rows.done}
          total={progress.rows.total}
          text={`${formatCount(progress.rows.done)} / ${formatCount(progress.rows.total)} rows`}
        />
        <ProgressBar
          label={`Bytes of ${ticket.companyName}`}
          done={progress.bytes.done}
          total={progress.bytes.total}
          text={`${formatBytes(progress.bytes.done)} / ${formatBytes(progress.bytes.total)}`}
        />
      </td>
      <td className="nowrap" data-label="Throughput">
        <div>{formatRowRate(rates.rowsPerSecond)}</div>
        <div className="muted">{formatByteRate(rates.bytesPerSecond)}</div>
      </td>
      <td className="mono nowrap" data-label="ETA">
        {eta === null ? UNKNOWN : formatEta(eta)}
      </td>
      <td
        className="nowrap"
        data-label="Downtime"
        title={item.uploadStartedAt ? `since ${formatTime(item.uploadStartedAt)}` : 'no upload yet'}
      >
        {downtime === null ? UNKNOWN : formatDuration(downtime)}
        {item.finishedAt && <div className="muted">ended</div>}
      </td>
      <td data-label="Last activity" className="tickets__activity">
        <div className="nowrap" title={item.lastProgressAt ?? undefined}>
          {formatAgo(item.lastProgressAt, now)}
        </div>
        {item.lastEvent && (
          // Two lines at most; the whole line, with the raw action and actor, on hover.
          <div
            className="muted small clamp"
            title={`${item.lastEvent.action} by ${item.lastEvent.actor}${item.lastEvent.reason ? ` (${item.lastEvent.reason})` : ''}`}
          >
            {describeEvent(item.lastEvent)}
          </div>
        )}
      </td>
      <td data-label="Migrator" className="tickets__migrator">
        {item.migrator ? (
          <>
            <div>{item.migrator.name}</div>
            <div className="muted small">
              <EmailAddress address={item.migrator.email} />
            </div>
          </>
        ) : (
          <span className="muted">{UNKNOWN}</span>
        )}
      </td>
    </tr>
  );
}

/** An address that may wrap after its @ (and nowhere inside a word) in a narrow column. */
function EmailAddress({ address }: { address: string }) {
  const at = address.indexOf('@');
  if (at < 0) return <>{address}</>;
  return (
    <>
      {address.slice(0, at + 1)}
      <wbr />
      {address.slice(at + 1)}
    </>
  );
}
