import { Injectable } from '@nestjs/common';
import {
  OmtError,
  type CreateTicketRequest,
  type Environment,
  type ListTicketsQuery,
  type MigrationKind,
  type MigrationState,
  type TenantState,
  type TicketView,
} from '@omt/contracts';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { insertAuditEvent } from '../audit/audit.repository';
import type { AuditEntry } from '../audit/audit-entry';

/** A ticket as the services see it: the view plus the keys they need. */
export interface TicketRecord extends TicketView {
  tenantId: string;
}

const withTenant = { tenant: true } as const;
type TicketRow = Prisma.TicketGetPayload<{ include: typeof withTenant }>;

function toRecord(row: TicketRow): TicketRecord {
  return {
    id: row.id,
    customerId: row.customerId,
    companyName: row.companyName,
    serialNumber: row.serialNumber,
    environment: row.environment as Environment,
    kind: row.kind as MigrationKind,
    state: row.state as MigrationState,
    salesRep: { name: row.salesRepName, email: row.salesRepEmail },
    tenant: {
      customerId: row.tenant.customerId,
      environment: row.tenant.environment as Environment,
      state: row.tenant.state as TenantState,
      databaseName: row.tenant.databaseName,
    },
    tenantId: row.tenantId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toView(record: TicketRecord): TicketView {
  const { tenantId: _tenantId, ...view } = record;
  return view;
}

/** Raised by PostgreSQL's unique index "one open ticket per customer id" when two requests race. */
function isOpenTicketRace(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  return JSON.stringify(error.meta ?? {}).includes('customerId') || error.message.includes('Ticket_customerId_open_key');
}

/**
 * Everything a rule needs to do inside one transaction. Obtained from
 * `TicketsRepository.inTransaction`; no Prisma type leaves this file.
 */
export class TicketTransaction {
  constructor(private readonly tx: Prisma.TransactionClient) {}

  /** Locks the ticket's row until the transaction ends (`SELECT … FOR UPDATE`) and reads it. */
  async lockTicket(ticketId: string): Promise<TicketRecord | null> {
    const locked = await this.tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Ticket" WHERE id = ${ticketId}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
    return toRecord(await this.tx.ticket.findUniqueOrThrow({ where: { id: ticketId }, include: withTenant }));
  }

  async getTicket(ticketId: string): Promise<TicketRecord> {
    return toRecord(await this.tx.ticket.findUniqueOrThrow({ where: { id: ticketId }, include: withTenant }));
  }

  async setState(ticketId: string, state: MigrationState): Promise<void> {
    await this.tx.ticket.update({ where: { id: ticketId }, data: { state } });
  }

  async setTenantState(tenantId: string, state: TenantState): Promise<void> {
    await this.tx.tenant.update({ where: { id: tenantId }, data: { state } });
  }

  /** Returns the time the database recorded. */
  audit(entry: AuditEntry): Promise<Date> {
    return insertAuditEvent(this.tx, entry);
  }

  async createEnrollmentCode(ticketId: string, codeHash: string, expiresAt: Date): Promise<void> {
    await this.tx.enrollmentCode.create({ data: { ticketId, codeHash, expiresAt } });
  }

  /** Marks a valid code used and returns its ticket; null when unknown, used, expired or revoked. */
  async useEnrollmentCode(codeHash: string): Promise<string | null> {
    const now = new Date();
    const rows = await this.tx.$queryRaw<{ ticketId: string }[]>`
      UPDATE "EnrollmentCode" SET "usedAt" = ${now}
      WHERE "codeHash" = ${codeHash} AND "usedAt" IS NULL AND "revokedAt" IS NULL AND "expiresAt" > ${now}
      RETURNING "ticketId"::text AS "ticketId"`;
    return rows[0]?.ticketId ?? null;
  }

  async revokeEnrollmentCodes(ticketId: string): Promise<void> {
    await this.tx.enrollmentCode.updateMany({ where: { ticketId, usedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  async createAgentToken(ticketId: string, tokenHash: string): Promise<void> {
    await this.tx.agentToken.create({ data: { ticketId, tokenHash } });
  }

  async revokeAgentTokens(ticketId: string): Promise<void> {
    await this.tx.agentToken.updateMany({ where: { ticketId, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  /** Another ticket of this customer that is neither completed nor cancelled. */
  async findOpenTicket(customerId: string, exceptId?: string): Promise<{ id: string; state: MigrationState } | null> {
    const row = await this.tx.ticket.findFirst({
      where: { customerId, state: { notIn: ['completed', 'cancelled'] }, ...(exceptId ? { id: { not: exceptId } } : {}) },
      select: { id: true, state: true },
    });
    return row ? { id: row.id, state: row.state as MigrationState } : null;
  }

  /** A live migration of this customer that has completed: its tenant must never be wiped or loaded again. */
  async findCompletedLiveTicket(customerId: string): Promise<{ id: string } | null> {
    return this.tx.ticket.findFirst({
      where: { customerId, kind: 'live', state: { in: ['completed', 'completed_with_missing_documents', 'recovering'] } },
      select: { id: true },
    });
  }

  /** The customer's tenant, created in `migration_pending` the first time. */
  async findTenant(customerId: string): Promise<{ id: string; databaseName: string } | null> {
    return this.tx.tenant.findUnique({ where: { customerId }, select: { id: true, databaseName: true } });
  }

  async findOrCreateTenant(
    customerId: string,
    environment: Environment,
    databaseName: string,
  ): Promise<{ id: string; environment: Environment }> {
    const existing = await this.tx.tenant.findUnique({ where: { customerId } });
    if (existing) return { id: existing.id, environment: existing.environment as Environment };
    const created = await this.tx.tenant.create({
      data: { customerId, environment, databaseName, state: 'migration_pending' satisfies TenantState },
    });
    return { id: created.id, environment };
  }

  async createTicket(request: CreateTicketRequest, tenantId: string): Promise<TicketRecord> {
    const row = await this.tx.ticket.create({
      data: {
        customerId: request.customerId,
        companyName: request.companyName,
        serialNumber: request.serialNumber,
        environment: request.environment,
        kind: request.kind,
        state: 'created' satisfies MigrationState,
        salesRepName: request.salesRep.name,
        salesRepEmail: request.salesRep.email,
        tenantId,
      },
      include: withTenant,
    });
    return toRecord(row);
  }
}

@Injectable()
export class TicketsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Runs `work` in one database transaction. The unique index "one open
   * ticket per customer" is turned into TICKET_ALREADY_OPEN here, because
   * only this file knows what the database's error looks like.
   */
  async inTransaction<T>(work: (tx: TicketTransaction) => Promise<T>): Promise<T> {
    try {
      return await this.prisma.$transaction((tx) => work(new TicketTransaction(tx)));
    } catch (error) {
      if (isOpenTicketRace(error)) {
        throw new OmtError('TICKET_ALREADY_OPEN', 'This customer has an open ticket already.', [
          { path: 'customerId', message: 'has an open ticket' },
        ]);
      }
      throw error;
    }
  }

  async findById(ticketId: string): Promise<TicketRecord | null> {
    const row = await this.prisma.ticket.findUnique({ where: { id: ticketId }, include: withTenant });
    return row ? toRecord(row) : null;
  }

  async list(query: ListTicketsQuery): Promise<{ items: TicketRecord[]; total: number }> {
    const where: Prisma.TicketWhereInput = {
      ...(query.state ? { state: query.state } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.customerId ? { customerId: query.customerId } : {}),
    };
    const [rows, total] = await this.prisma.$transaction([
      this.prisma.ticket.findMany({
        where,
        include: withTenant,
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        skip: query.offset,
        take: query.limit,
      }),
      this.prisma.ticket.count({ where }),
    ]);
    return { items: rows.map(toRecord), total };
  }
}
