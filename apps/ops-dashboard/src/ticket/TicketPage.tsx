import {
  DOWNTIME_END_STATES,
  READ_AUDIT_ACTIONS,
  type OpsEventPayload,
  type TicketDetail,
  type TicketEvent,
} from '@omt/contracts';
import { ErrorNote } from '../components/ErrorNote';
import { AGENT_MODE_LABELS, TENANT_STATE_LABELS } from '../components/labels';
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
import { followLink } from '../routing/router';
import { downtimeSeconds, etaSeconds, throughput, type Progress, type ProgressSample } from '../tickets/progress-math';
import { ChecksPanel } from './ChecksPanel';
import { DocumentsPanel } from './DocumentsPanel';
import { FailuresPanel } from './FailuresPanel';
import { PlanPanel } from './PlanPanel';
import { TablesPanel } from './TablesPanel';
import { TicketActions } from './TicketActions';
import { Timeline } from './Timeline';
import { useTicketDetail } from './useTicketDetail';
import { workingCopiesLine, workingCopiesTitle } from './working-copies';

export function TicketPage({ ticketId }: { ticketId: string }) {
  const { detail, detailError, events, eventsError, progress, samples, reload } = useTicketDetail(ticketId);

  return (
    <div className="ticket-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href="/" onClick={followLink}>
          ← All tickets
        </a>
      </nav>
      {detailError !== null && <ErrorNote error={detailError} what="The ticket could not be loaded." />}
      {!detail && detailError === null && <p className="panel panel__empty">Loading the ticket…</p>}
      {detail && (
        <>
          <TicketSummary detail={detail} events={events ?? []} progress={progress} samples={samples} />
          <div className="ticket-grid">
            <div className="ticket-grid__main">
              <FailuresPanel ticketId={ticketId} failures={detail.failures} onRetried={reload} />
              <TablesPanel tables={detail.tables} />
              <DocumentsPanel documents={detail.documents} />
              <ChecksPanel checks={detail.checks} plan={detail.plan} />
            </div>
            <div className="ticket-grid__side">
              <TicketActions ticket={detail.ticket} onChanged={reload} />
              <PlanPanel plan={detail.plan} />
              <Timeline events={events} error={eventsError} />
            </div>
          </div>
        </>
      )}
    </div>
  );
}

/** The table figures as `ticket.progressed` counts them, from the detail until the first live event. */
function figuresOf(detail: TicketDetail, progress: Progress | null): Progress {
  if (progress) return progress;
  const rows = detail.tables.reduce(
    (sum, table) => ({ done: sum.done + table.rowsImported, total: sum.total + table.expectedRows }),
    { done: 0, total: 0 },
  );
  return { rows, bytes: { done: detail.documents.receivedBytes, total: detail.documents.expectedBytes } };
}

/** When the downtime ended: the first final state after the upload started (the list's rule). */
function finishedAtOf(events: readonly TicketEvent[], uploadStartedAt: string | null): string | null {
  if (uploadStartedAt === null) return null;
  const start = Date.parse(uploadStartedAt);
  const end = events.find((e) => e.to !== null && DOWNTIME_END_STATES.includes(e.to) && Date.parse(e.at) >= start);
  return end?.at ?? null;
}

function TicketSummary({
  detail,
  events,
  progress,
  samples,
}: {
  detail: TicketDetail;
  events: readonly TicketEvent[];
  progress: OpsEventPayload<'ticket.progressed'> | null;
  samples: readonly ProgressSample[];
}) {
  const now = useNow();
  const { ticket } = detail;
  const figures = figuresOf(detail, progress);
  const timing = { uploadStartedAt: detail.uploadStartedAt, finishedAt: finishedAtOf(events, detail.uploadStartedAt) };
  const rates = throughput(samples, figures, timing, now.getTime());
  const eta = timing.uploadStartedAt && !timing.finishedAt ? etaSeconds(figures, rates) : null;
  const downtime = downtimeSeconds(timing, now.getTime());
  const lastProgressAt =
    [
      detail.lastActivityAt,
      events.findLast((e) => !READ_AUDIT_ACTIONS.includes(e.action))?.at ?? null,
      progress?.at ?? null,
    ]
      .filter((at): at is string => at !== null)
      .sort()
      .at(-1) ?? null;
  const documents = detail.documents;

  return (
    <section className="panel" aria-labelledby="ticket-title">
      <header className="panel__header ticket-summary__header">
        <div>
          <h2 id="ticket-title" className="ticket-summary__title">
            {ticket.companyName}
          </h2>
          <div className="muted">
            <span className="mono">{ticket.customerId}</span> · serial {ticket.serialNumber} · {ticket.environment} ·{' '}
            {ticket.kind} migration
          </div>
        </div>
        <StateBadge state={ticket.state} />
      </header>
      <div className="panel__body">
        <p className="small">
          An agent starting now would <strong data-mode={detail.mode}>{AGENT_MODE_LABELS[detail.mode]}</strong>:{' '}
          {detail.modeReason}
        </p>
        <div className="ticket-summary__bars">
          <ProgressBar
            label="Rows imported"
            done={figures.rows.done}
            total={figures.rows.total}
            text={`${formatCount(figures.rows.done)} / ${formatCount(figures.rows.total)} rows`}
          />
          <ProgressBar
            label="Documents received"
            done={documents.received}
            total={documents.expected}
            text={`${formatCount(documents.received)} / ${formatCount(documents.expected)} documents · ${formatBytes(documents.receivedBytes)} / ${formatBytes(documents.expectedBytes)}`}
          />
        </div>
        <dl className="facts facts--wide">
          <Fact
            label="Throughput"
            value={`${formatRowRate(rates.rowsPerSecond)} · ${formatByteRate(rates.bytesPerSecond)}`}
          />
          <Fact label="ETA" value={eta === null ? UNKNOWN : formatEta(eta)} />
          <Fact label="Downtime" value={downtime === null ? UNKNOWN : formatDuration(downtime)} />
          <Fact label="Upload started" value={detail.uploadStartedAt ? formatTime(detail.uploadStartedAt) : UNKNOWN} />
          <Fact label="Last activity" value={formatAgo(lastProgressAt, now)} />
          <Fact
            label="Tenant"
            value={TENANT_STATE_LABELS[ticket.tenant.state]}
            title={`database ${ticket.tenant.databaseName}`}
          />
          <Fact label="Sales rep" value={`${ticket.salesRep.name} <${ticket.salesRep.email}>`} />
          <Fact label="Opened" value={formatTime(ticket.createdAt)} />
          <Fact
            label="Working copies"
            value={workingCopiesLine(detail.retention, ticket.state)}
            title={workingCopiesTitle(detail.retention)}
          />
        </dl>
      </div>
    </section>
  );
}

function Fact({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div className="facts__item" title={title}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
