import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';
import { QueuesService } from '../queues/queues.service';

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
    private readonly prisma: PrismaService,
    private readonly queues: QueuesService,
  ) {}

  /** True when verification is (now or already) queued for the ticket's current run. */
  async checkTicket(ticketId: string): Promise<boolean> {
    const ticket = await this.prisma.ticket.findUnique({ where: { id: ticketId }, select: { uploadCompletedAt: true } });
    if (!ticket?.uploadCompletedAt) return false;
    const pendingBatches = await this.prisma.batchUpload.count({ where: { ticketId, importedAt: null } });
    if (pendingBatches > 0) return false;
    const pendingDocuments = await this.prisma.documentUpload.count({ where: { ticketId, storedAt: null } });
    if (pendingDocuments > 0) return false;
    await this.queues.enqueue(
      'verify.ticketUploaded',
      { ticketId },
      { jobId: `verify-${ticketId}-${ticket.uploadCompletedAt.getTime()}` },
    );
    return true;
  }
}
