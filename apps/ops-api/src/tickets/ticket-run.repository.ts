import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { TicketTransaction } from '../ticket-state/tickets.repository';

/** Deleting the ledgers of a large run takes more than Prisma's 5 s default. */
const LONG_TRANSACTION = { timeout: 120_000, maxWait: 10_000 };

/** What one run of a ticket left in the operations database, cleared when a test migration is reset. */
export class TicketRunTransaction {
  constructor(private readonly tx: Prisma.TransactionClient) {}

  /** The upload ledgers and every field a run fills in, back to how a new ticket has them; the audit trail stays. */
  async clear(ticketId: string): Promise<void> {
    const where = { ticketId };
    await this.tx.batchUpload.deleteMany({ where });
    await this.tx.tableUpload.deleteMany({ where });
    await this.tx.documentUpload.deleteMany({ where });
    await this.tx.missingDocument.deleteMany({ where });
    await this.tx.ticket.update({
      where: { id: ticketId },
      data: {
        checksReport: Prisma.DbNull,
        plan: Prisma.DbNull,
        batchLimits: Prisma.DbNull,
        expectedDocuments: 0,
        expectedDocumentBytes: 0n,
        uploadStartedAt: null,
        uploadCompletedAt: null,
        lastActivityAt: null,
        // The reset deleted the working copies; the next run's are held again.
        purgedAt: null,
        structureStartedAt: null,
        structureFinishedAt: null,
      },
    });
  }
}

@Injectable()
export class TicketRunRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One transaction for the ticket's rows (lock it with `tickets.lockTicket` first) and its run's. */
  inTransaction<T>(work: (tickets: TicketTransaction, run: TicketRunTransaction) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(
      (tx) => work(new TicketTransaction(tx), new TicketRunTransaction(tx)),
      LONG_TRANSACTION,
    );
  }
}
