import { Injectable } from '@nestjs/common';
import type { MigrationState } from '@omt/contracts';
import { insertAuditEvent } from '../audit/audit.repository';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { PURGEABLE_STATES } from './retention-policy';

/** The working copies a ticket's ledgers say are held: batch blobs and finished document uploads. */
export interface HeldCopies {
  batchFiles: number;
  batchBytes: number;
  uploadFiles: number;
  uploadBytes: number;
}

/** A ticket's retention facts: its state, when it entered it (audit trail), and whether its copies are gone. */
export interface RetentionFacts {
  state: MigrationState;
  enteredAt: Date | null;
  purgedAt: Date | null;
}

/** Deleting many files inside the ticket's lock may take more than Prisma's 5 s default. */
const PURGE_TRANSACTION = { timeout: 120_000, maxWait: 10_000 };

/**
 * When a ticket entered its current state: the newest `ticket.stateChanged`
 * into it in the audit trail, else the row's last update (a ticket without a
 * trail, which the state machine never leaves behind).
 */
const ENTERED_AT = Prisma.sql`coalesce(
  (SELECT max(a.at) FROM "AuditEvent" a
    WHERE a."ticketId" = t.id AND a.action = 'ticket.stateChanged' AND a."toState" = t.state),
  t."updatedAt")`;
/** The purgeable states as SQL literals (constants of our own, never input). */
const PURGEABLE = Prisma.raw(PURGEABLE_STATES.map((state) => `'${state}'`).join(', '));

/** The retention sweep's queries; plain types out. */
@Injectable()
export class RetentionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Tickets in a purgeable state since `cutoff` or earlier whose working copies are still held. */
  async dueTickets(cutoff: Date): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT t.id::text AS id FROM "Ticket" t
       WHERE t.state IN (${PURGEABLE}) AND t."purgedAt" IS NULL AND ${ENTERED_AT} <= ${cutoff}
       ORDER BY t.id`;
    return rows.map((row) => row.id);
  }

  async facts(ticketId: string): Promise<RetentionFacts | null> {
    const [row] = await this.prisma.$queryRaw<{ state: string; enteredAt: Date; purgedAt: Date | null }[]>`
      SELECT t.state, ${ENTERED_AT} AS "enteredAt", t."purgedAt" FROM "Ticket" t WHERE t.id = ${ticketId}::uuid`;
    return row ? { state: row.state as MigrationState, enteredAt: row.enteredAt, purgedAt: row.purgedAt } : null;
  }

  async held(ticketId: string): Promise<HeldCopies> {
    const [batches, uploads] = await Promise.all([
      this.prisma.batchUpload.aggregate({ where: { ticketId }, _count: { _all: true }, _sum: { storedBytes: true } }),
      this.prisma.documentUpload.aggregate({ where: { ticketId }, _count: { _all: true }, _sum: { bytes: true } }),
    ]);
    return {
      batchFiles: batches._count._all,
      batchBytes: batches._sum.storedBytes ?? 0,
      uploadFiles: uploads._count._all,
      uploadBytes: Number(uploads._sum.bytes ?? 0n),
    };
  }

  /**
   * Purges one ticket under its row lock, so a reset or a state change
   * cannot interleave: still due (purgeable since `cutoff`, not purged)?
   * then `remove` deletes the files, `purgedAt` is set and the audit trail
   * records what went, all or nothing. Returns what was held, or null when
   * the ticket was no longer due.
   */
  async purge(ticketId: string, cutoff: Date, remove: () => Promise<void>): Promise<HeldCopies | null> {
    return this.prisma.$transaction(async (tx) => {
      const [due] = await tx.$queryRaw<{ id: string }[]>`
        SELECT t.id::text AS id FROM "Ticket" t
         WHERE t.id = ${ticketId}::uuid AND t.state IN (${PURGEABLE}) AND t."purgedAt" IS NULL AND ${ENTERED_AT} <= ${cutoff}
         FOR UPDATE OF t`;
      if (!due) return null;
      const held = await this.held(ticketId);
      await remove();
      await tx.ticket.update({ where: { id: ticketId }, data: { purgedAt: new Date() } });
      await insertAuditEvent(tx, {
        ticketId,
        actor: 'system',
        action: 'workingCopies.purged',
        reason: `deleted ${held.batchFiles} batch file(s) (${held.batchBytes} bytes) and ${held.uploadFiles} document upload(s) (${held.uploadBytes} bytes) after the grace period; the tenant keeps its data`,
        data: { ...held },
      });
      return held;
    }, PURGE_TRANSACTION);
  }

  /** Of these blob keys, the ones a document ledger row points at (finished uploads). */
  async recordedUploadKeys(blobKeys: string[]): Promise<Set<string>> {
    if (blobKeys.length === 0) return new Set();
    const rows = await this.prisma.documentUpload.findMany({
      where: { blobKey: { in: blobKeys } },
      select: { blobKey: true },
    });
    return new Set(rows.map((row) => row.blobKey));
  }

  /** The state of each ticket that exists among these ids. */
  async states(ticketIds: string[]): Promise<Map<string, MigrationState>> {
    const valid = ticketIds.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
    if (valid.length === 0) return new Map();
    const rows = await this.prisma.ticket.findMany({ where: { id: { in: valid } }, select: { id: true, state: true } });
    return new Map(rows.map((row) => [row.id, row.state as MigrationState]));
  }
}
