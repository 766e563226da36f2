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
    },
  });
  return row.at;
}

/** Reads the audit trail; it is append-only, nothing here updates or deletes. */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  async listForTicket(ticketId: string): Promise<TicketEvent[]> {
    const rows = await this.prisma.auditEvent.findMany({ where: { ticketId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
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
