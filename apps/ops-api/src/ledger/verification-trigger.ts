import { Injectable } from '@nestjs/common';
import { jobIdOf } from '../queues/job-ids';
import { QueuesService } from '../queues/queues.service';
import { LedgerRepository } from './ledger.repository';

/**
 * Starts verification exactly when a ticket is ready for it: the agent has
 * called upload/complete for this run and every batch (and document) that
 * arrived has been imported. Called by the API after upload/complete and by
 * the worker after each import, so whichever comes last starts it; the job
 * id carries the run (its upload/complete time), so racing callers and
 * retries queue it once per run.
 */
@Injectable()
export class VerificationTrigger {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly queues: QueuesService,
  ) {}

  /** True when verification is (now or already) queued for the ticket's current run. */
  async checkTicket(ticketId: string): Promise<boolean> {
    const uploadCompletedAt = await this.ledger.completedRunReadyForVerification(ticketId);
    if (!uploadCompletedAt) return false;
    await this.queues.enqueue(
      'verify.ticketUploaded',
      { ticketId },
      { jobId: jobIdOf({ name: 'verify.ticketUploaded', ticketId, uploadCompletedAt }) },
    );
    return true;
  }
}
