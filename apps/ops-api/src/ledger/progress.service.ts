import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import type { MigrationState, OpsEventPayload } from '@omt/contracts';
import { LOGGER } from '../common/logger.module';
import { EventsService } from '../events/events.gateway';
import { ProgressRepository, type ProgressFigures } from './progress.repository';

export type TicketProgress = OpsEventPayload<'ticket.progressed'>;

/** At most one `ticket.progressed` per ticket in this interval; the dashboard needs no more. */
export const PROGRESS_INTERVAL_MS = 500;

function phaseOf(state: MigrationState, figures: ProgressFigures): TicketProgress['phase'] {
  switch (state) {
    case 'created':
    case 'enrolled':
    case 'checks_failed':
    case 'ready':
      return 'checks';
    case 'verifying':
    case 'verification_failed':
      return 'verification';
    case 'configuring':
    case 'completed':
      return 'configuration';
    case 'completed_with_missing_documents':
    case 'recovering':
      return 'documents';
    default:
      return figures.tablesTotal > 0 && figures.tablesDone === figures.tablesTotal ? 'documents' : 'tables';
  }
}

/** Totals can be passed (rows added at the source since the count; bytes known only as batches arrive). */
const counter = (done: number, total: number) => ({ done, total: Math.max(done, total) });

/** The progress event from the ledgers. Bytes are uncompressed table bytes plus document bytes. */
export function progressOf(ticketId: string, figures: ProgressFigures, at: Date): TicketProgress {
  return {
    ticketId,
    phase: phaseOf(figures.state, figures),
    tables: counter(figures.tablesDone, figures.tablesTotal),
    rows: counter(figures.rowsImported, figures.rowsTotal),
    bytes: counter(
      figures.batchBytesImported + figures.documentBytesStored,
      figures.batchBytesReceived + figures.documentBytesTotal,
    ),
    documents: counter(figures.documentsStored, figures.documentsTotal),
    at: at.toISOString(),
  };
}

/**
 * Tells ops how far a ticket has come, computed from the database (so the
 * API and every worker report the same figures). Callers publish after each
 * change; this throttles per ticket and always sends a trailing event, so
 * the last figure reaches the dashboard however fast the changes came.
 */
@Injectable()
export class ProgressService implements OnModuleDestroy {
  /** Tickets inside their quiet interval, and whether a change arrived during it. */
  private readonly quiet = new Map<string, { timer: NodeJS.Timeout; again: boolean }>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly repository: ProgressRepository,
    private readonly events: EventsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  publish(ticketId: string): void {
    if (this.closed) return;
    const waiting = this.quiet.get(ticketId);
    if (waiting) {
      waiting.again = true;
      return;
    }
    this.emit(ticketId);
    const timer = setTimeout(() => {
      const again = this.quiet.get(ticketId)?.again;
      this.quiet.delete(ticketId);
      if (again) this.publish(ticketId);
    }, PROGRESS_INTERVAL_MS);
    timer.unref();
    this.quiet.set(ticketId, { timer, again: false });
  }

  /** The figures now; null when the ticket does not exist. */
  async current(ticketId: string): Promise<TicketProgress | null> {
    const figures = await this.repository.figures(ticketId);
    return figures ? progressOf(ticketId, figures, new Date()) : null;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const { timer } of this.quiet.values()) clearTimeout(timer);
    this.quiet.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private emit(ticketId: string): void {
    const work = (async () => {
      try {
        const progress = await this.current(ticketId);
        if (progress) this.events.toOps('ticket.progressed', progress);
      } catch (error) {
        // Progress is a view; failing to show it must never fail the upload or import that asked.
        this.logger.warn({ err: error, ticketId }, 'could not publish ticket progress');
      }
    })();
    this.inFlight.add(work);
    void work.then(() => this.inFlight.delete(work));
  }
}
