import { Injectable } from '@nestjs/common';
import type { MigrationState, TicketEvent } from '@omt/contracts';
import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import type { AuditEntry } from './audit-entry';

/** Writes an audit line inside the caller's transaction: the change and its record commit together. */
export async function insertAuditEvent(tx: Prisma.TransactionClient, entry: AuditEntry): Promise<Date> {
  const row = await tx.auditEvent.create({
    data: {
      ticketId: entry.ticketId,
      actor: entry.actor,
      action: entry.action,
      fromState: entry.from ?? null,
      toState: entry.to ?? null,
      reason: entry.reason ?? null,
      ...(entry.data ? { data: entry.data } : {}),
    },
  });
  return row.at;
}

/** What an ops user read of a ticket's customer data: the ticket page, or its failed jobs with their errors. */
export type CustomerDataView = 'detail' | 'failures';

/** One `ticket.detailViewed` per user, ticket and kind in this window: a page polled every second is one read. */
export const VIEW_AUDIT_WINDOW_MS = 15 * 60 * 1000;

/** Reads the audit trail; it is append-only, nothing here updates or deletes. */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Records that `actor` read customer data of the ticket, unless the same
   * actor read the same kind within VIEW_AUDIT_WINDOW_MS. A transaction-level
   * advisory lock on (ticket, actor, kind) makes two requests at once write
   * one row, not two. Returns whether a row was written.
   */
  async recordView(ticketId: string, actor: string, kind: CustomerDataView, reason: string): Promise<boolean> {
    const since = new Date(Date.now() - VIEW_AUDIT_WINDOW_MS);
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`view:${ticketId}:${actor}:${kind}`}, 0))`;
      const recent = await tx.auditEvent.findFirst({
        where: {
          ticketId,
          actor,
          action: 'ticket.detailViewed',
          at: { gte: since },
          data: { path: ['kind'], equals: kind },
        },
        select: { id: true },
      });
      if (recent) return false;
      await insertAuditEvent(tx, { ticketId, actor, action: 'ticket.detailViewed', reason, data: { kind } });
      return true;
    });
  }

  async listForTicket(ticketId: string): Promise<TicketEvent[]> {
    const rows = await this.prisma.auditEvent.findMany({
      where: { ticketId },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
    });
    return rows.map((row) => ({
      id: row.id.toString(),
      at: row.at.toISOString(),
      actor: row.actor,
      action: row.action,
      from: row.fromState as MigrationState | null,
      to: row.toState as MigrationState | null,
      reason: row.reason,
    }));
  }
}
