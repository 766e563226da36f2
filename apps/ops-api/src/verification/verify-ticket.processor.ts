import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { MIGRATION_STATE_WORDS, type JobPayload } from '@omt/contracts';
import { LOGGER } from '../common/logger.module';
import { PermanentImportError } from '../queues/job-errors';
import { TenantDatabases } from '../tenants/tenant-databases.service';
import { JobProcessor, type JobHandler } from '../queues/job-handler';
import { jobIdOf } from '../queues/job-ids';
import { QueuesService } from '../queues/queues.service';
import { SYSTEM_ACTOR, TicketStateService } from '../ticket-state/ticket-state.service';
import { TicketsRepository } from '../ticket-state/tickets.repository';
import { ProgressService } from '../ledger/progress.service';
import { LedgerRepository } from '../ledger/ledger.repository';
import { VERIFICATION_STEPS, type VerificationStep } from './verification-steps';

/**
 * `verify.ticketUploaded`: everything sent is imported. Builds the structure
 * the load left out (keys, indexes, defaults, identity), runs every
 * verification step (content, structure, documents), and moves the ticket on:
 * `configuring` (and queues the configuration) or `verification_failed`
 * with the reason naming what differs. A retried job finds the ticket
 * already `verifying` and simply runs the steps again.
 *
 * A recovery (`recovering`: only documents were sent, the tables were
 * verified by the run before) runs the documents step alone and stays
 * `recovering` for the configuration, which ends it; a difference fails it
 * (the state machine has no `verification_failed` after a completion).
 */
@Injectable()
@JobProcessor('verify.ticketUploaded')
export class VerifyTicketProcessor implements JobHandler<'verify.ticketUploaded'> {
  constructor(
    private readonly tenants: TenantDatabases,
    private readonly tickets: TicketsRepository,
    private readonly state: TicketStateService,
    private readonly queues: QueuesService,
    private readonly repository: LedgerRepository,
    private readonly progress: ProgressService,
    @Inject(VERIFICATION_STEPS) private readonly steps: readonly VerificationStep[],
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle({ ticketId }: JobPayload<'verify.ticketUploaded'>, job: Job): Promise<void> {
    const state = (await this.tickets.findById(ticketId))?.state;
    const configureJobId = jobIdOf({ name: 'configure.ticketVerified', verifyJobId: String(job.id) });
    switch (state) {
      case 'importing':
        await this.state.transition(ticketId, 'verifying', SYSTEM_ACTOR, 'every uploaded piece is imported');
        break;
      case 'verifying':
        break;
      case 'recovering':
        return this.verifyRecovery(ticketId, configureJobId);
      case 'configuring': // verified before; the enqueue after it did not happen
        return this.queues.enqueue('configure.ticketVerified', { ticketId }, { jobId: configureJobId });
      case undefined:
      case 'cancelled':
      case 'verification_failed':
        this.logger.info({ ticketId, state }, 'verification skipped: nothing to verify in this state');
        return;
      default:
        throw new PermanentImportError(
          'STATE_TRANSITION_FORBIDDEN',
          `Verification runs after the import; the ticket is ${MIGRATION_STATE_WORDS[state]}.`,
        );
    }
    this.progress.publish(ticketId);

    const tenant = await this.tenants.forTicket(ticketId);
    // A table without rows has no batch to wait for: its tableCreated job may still be queued.
    for (const table of await this.repository.tableSchemas(ticketId)) await tenant.createTable(table);
    // The structure the load left out (keys, indexes, defaults, identity), timed as a phase of its own.
    await this.repository.markStructureStarted(ticketId);
    await tenant.buildStructure();
    await this.repository.markStructureFinished(ticketId);
    const problems: string[] = [];
    for (const step of this.steps) problems.push(...(await step.verify(ticketId, tenant)));

    if (problems.length > 0) {
      await this.state.transition(ticketId, 'verification_failed', SYSTEM_ACTOR, problems.join(' '));
    } else {
      await this.state.transition(ticketId, 'configuring', SYSTEM_ACTOR, 'everything uploaded matches the source');
      await this.queues.enqueue('configure.ticketVerified', { ticketId }, { jobId: configureJobId });
    }
    this.progress.publish(ticketId);
  }

  private async verifyRecovery(ticketId: string, configureJobId: string): Promise<void> {
    const tenant = await this.tenants.forTicket(ticketId);
    const problems: string[] = [];
    for (const step of this.steps.filter((s) => RECOVERY_STEPS.includes(s.name)))
      problems.push(...(await step.verify(ticketId, tenant)));
    if (problems.length > 0) {
      await this.state.transition(ticketId, 'failed', SYSTEM_ACTOR, `recovery: ${problems.join(' ')}`);
    } else {
      await this.queues.enqueue('configure.ticketVerified', { ticketId }, { jobId: configureJobId });
    }
    this.progress.publish(ticketId);
  }
}

/** What a recovery re-checks: it sent documents only. */
const RECOVERY_STEPS: readonly string[] = ['documents'];
