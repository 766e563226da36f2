import { Injectable } from '@nestjs/common';
import { ProgressService } from './progress.service';
import { LedgerRepository } from './ledger.repository';
import { VerificationTrigger } from './verification-trigger';

/** What follows a batch's import: the upload ledger, the progress feed, and maybe verification. */
@Injectable()
export class BatchImports {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly progress: ProgressService,
    private readonly verification: VerificationTrigger,
  ) {}

  /** Idempotent: a retried job marks, publishes and checks again, and verification is queued once per run. */
  async imported(ticketId: string, table: string, sequence: number): Promise<void> {
    await this.repository.markBatchImported(ticketId, table, sequence);
    this.progress.publish(ticketId);
    await this.verification.checkTicket(ticketId);
  }
}
