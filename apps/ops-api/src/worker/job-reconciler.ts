import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import type { MigrationState } from '@omt/contracts';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { LOGGER } from '../common/logger.module';
import { QueuesService } from '../queues/queues.service';
import { enqueueBatchJob, enqueueDocumentJob, enqueueTableJob } from '../queues/import-jobs';
import { LedgerRepository } from '../ledger/ledger.repository';
import { VerificationTrigger } from '../ledger/verification-trigger';

/** States in which a ticket's jobs may still be waiting in Redis. */
const IN_FLIGHT: MigrationState[] = ['uploading', 'importing', 'recovering', 'verifying', 'configuring'];
/** States in which pieces may still wait for their import. */
const IMPORTING: MigrationState[] = ['uploading', 'importing', 'recovering'];

/**
 * The ledgers in PostgreSQL are the truth; the queues in Redis only carry
 * work. If Redis loses jobs (a restart without persistence, a failed
 * enqueue after the ledger row was written), nothing else would queue them
 * again and the ticket would wait for ever. So the worker, on start and then
 * every OMT_RECONCILE_SECONDS, queues again the job of every piece not yet
 * imported, and the verification of every ticket that is ready for it. Each
 * job keeps the id derived from its piece, so a job still queued (or
 * finished) makes this a no-op.
 */
@Injectable()
export class JobReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly ledger: LedgerRepository,
    private readonly queues: QueuesService,
    private readonly trigger: VerificationTrigger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const sweep = () => {
      this.running ??= this.reconcile()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'job reconciliation failed; the next sweep tries again'))
        .finally(() => (this.running = undefined));
    };
    sweep();
    this.timer = setInterval(sweep, this.config.reconcileSeconds * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep over every ticket in flight; returns how many jobs it queued (most of them no-ops). */
  async reconcile(): Promise<number> {
    const tickets = await this.ledger.ticketsIn(IN_FLIGHT);
    let queued = 0;
    for (const ticket of tickets) {
      if (IMPORTING.includes(ticket.state)) queued += await this.requeueImports(ticket.id);
      if (await this.trigger.checkTicket(ticket.id)) queued += 1;
    }
    return queued;
  }

  private async requeueImports(ticketId: string): Promise<number> {
    const { schemas, batches, documents } = await this.ledger.piecesAwaitingImport(ticketId);
    for (const table of schemas) await enqueueTableJob(this.queues, ticketId, table);
    for (const batch of batches) await enqueueBatchJob(this.queues, ticketId, batch);
    for (const document of documents) await enqueueDocumentJob(this.queues, document);
    return schemas.length + batches.length + documents.length;
  }
}
