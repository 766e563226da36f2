import { Injectable } from '@nestjs/common';
import {
  DOWNTIME_END_STATES,
  READ_AUDIT_ACTIONS,
  STALLABLE_STATES,
  migratorContactSchema,
  type LastEvent,
  type MigrationKind,
  type MigrationState,
  type MigratorContact,
} from '@omt/contracts';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';

/** When a ticket last moved and what it did last: what the list and the stalled detection need beyond its progress. */
export interface TicketActivity {
  ticketId: string;
  customerId: string;
  companyName: string;
  state: MigrationState;
  kind: MigrationKind;
  migrator: MigratorContact | null;
  uploadStartedAt: string | null;
  finishedAt: string | null;
  lastProgressAt: string | null;
  lastEvent: LastEvent | null;
}

interface Row {
  id: string;
  customerId: string;
  companyName: string;
  state: string;
  kind: string;
  migrator: unknown;
  uploadStartedAt: Date | null;
  finishedAt: Date | null;
  lastProgressAt: Date | null;
  eventAction: string | null;
  eventActor: string | null;
  eventAt: Date | null;
  eventReason: string | null;
}

/** Read-only: the tickets' times from their ledgers and audit trail. The only file of this module that speaks SQL. */
@Injectable()
export class TicketActivityRepository {
  constructor(private readonly prisma: PrismaService) {}

  async forTickets(ticketIds: readonly string[]): Promise<Map<string, TicketActivity>> {
    if (ticketIds.length === 0) return new Map();
    const rows = await this.select(Prisma.sql`t.id = ANY(${[...ticketIds]}::uuid[])`);
    return new Map(rows.map((row) => [row.ticketId, row]));
  }

  /** Tickets in a state where work should move on by itself (the candidates for "stalled"), longest silent first. */
  async running(): Promise<TicketActivity[]> {
    return this.select(Prisma.sql`t.state IN (${Prisma.join([...STALLABLE_STATES])})`);
  }

  private async select(where: Prisma.Sql): Promise<TicketActivity[]> {
    // Progress is anything landing: agent activity, a batch or document received, imported or stored, an audit
    // event other than someone reading the ticket.
    const rows = await this.prisma.$queryRaw<Row[]>`
      SELECT t.id::text AS "id", t."customerId", t."companyName", t.state, t.kind,
        t.plan -> 'migrator' AS "migrator",
        t."uploadStartedAt",
        fin.at AS "finishedAt",
        GREATEST(t."lastActivityAt", b.at, d.at, ev.at) AS "lastProgressAt",
        ev.action AS "eventAction", ev.actor AS "eventActor", ev.at AS "eventAt", ev.reason AS "eventReason"
      FROM "Ticket" t
      LEFT JOIN LATERAL (
        SELECT GREATEST(max(x."receivedAt"), max(x."importedAt")) AS at FROM "BatchUpload" x WHERE x."ticketId" = t.id
      ) b ON true
      LEFT JOIN LATERAL (
        SELECT GREATEST(max(x."receivedAt"), max(x."storedAt")) AS at FROM "DocumentUpload" x WHERE x."ticketId" = t.id
      ) d ON true
      LEFT JOIN LATERAL (
        SELECT e.action, e.actor, e.at, e.reason FROM "AuditEvent" e
        WHERE e."ticketId" = t.id AND e.action NOT IN (${Prisma.join([...READ_AUDIT_ACTIONS])})
        ORDER BY e.at DESC, e.id DESC LIMIT 1
      ) ev ON true
      LEFT JOIN LATERAL (
        SELECT min(e.at) AS at FROM "AuditEvent" e
        WHERE e."ticketId" = t.id AND e."toState" IN (${Prisma.join([...DOWNTIME_END_STATES])}) AND e.at >= t."uploadStartedAt"
      ) fin ON true
      WHERE ${where}
      ORDER BY "lastProgressAt" ASC NULLS FIRST`;
    return rows.map(toActivity);
  }
}

function toActivity(row: Row): TicketActivity {
  const migrator = migratorContactSchema.safeParse(row.migrator);
  return {
    ticketId: row.id,
    customerId: row.customerId,
    companyName: row.companyName,
    state: row.state as MigrationState,
    kind: row.kind as MigrationKind,
    migrator: migrator.success ? migrator.data : null,
    uploadStartedAt: row.uploadStartedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    lastProgressAt: row.lastProgressAt?.toISOString() ?? null,
    lastEvent:
      row.eventAction && row.eventActor && row.eventAt
        ? { action: row.eventAction, actor: row.eventActor, at: row.eventAt.toISOString(), reason: row.eventReason }
        : null,
  };
}
