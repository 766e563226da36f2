import { Injectable } from '@nestjs/common';
import { migrationPlanSchema, tableSchemaSchema, type MigrationKind, type MigrationPlan, type TableSchema } from '@omt/contracts';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';

/** The source's figures of one table (TableComplete), as verification compares them. */
export interface SourceTableFigures {
  name: string;
  /** Null when the agent never sent the table's figures. */
  rows: number | null;
  hash: string | null;
}

export interface TableVerdict {
  name: string;
  verified: boolean;
  message: string | null;
}

/** What the configuration step needs from the operations database. */
export interface TicketConfiguration {
  kind: MigrationKind;
  tenantId: string;
  plan: MigrationPlan | null;
  missingDocuments: number;
}

/** The worker's reads and writes of the upload ledgers; plain types out, no Prisma type leaves this file. */
@Injectable()
export class LedgerRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The tenant database of a ticket's customer. */
  async tenantDatabaseName(ticketId: string): Promise<string> {
    const ticket = await this.prisma.ticket.findUnique({ where: { id: ticketId }, select: { tenant: { select: { databaseName: true } } } });
    if (!ticket) throw new Error(`No ticket has the id ${ticketId}.`);
    return ticket.tenant.databaseName;
  }

  /** The definition the agent sent for one table; null until it sent one. */
  async tableSchema(ticketId: string, name: string): Promise<TableSchema | null> {
    const row = await this.prisma.tableUpload.findUnique({ where: { ticketId_name: { ticketId, name } }, select: { schema: true } });
    return row?.schema ? tableSchemaSchema.parse(row.schema) : null;
  }

  /** The definitions the agent sent, in its order (tables whose schema has not arrived are left out). */
  async tableSchemas(ticketId: string): Promise<TableSchema[]> {
    const rows = await this.prisma.tableUpload.findMany({
      where: { ticketId, schema: { not: Prisma.AnyNull } },
      select: { schema: true },
      orderBy: [{ position: 'asc' }, { name: 'asc' }],
    });
    return rows.map((r) => tableSchemaSchema.parse(r.schema));
  }

  /**
   * Idempotent: the first import of a batch sets the time, a retried job
   * leaves it. One statement (Prisma wraps `updateMany` in a transaction of
   * its own: three round trips per batch).
   */
  async markBatchImported(ticketId: string, tableName: string, sequence: number): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "BatchUpload" SET "importedAt" = now()
      WHERE "ticketId" = ${ticketId}::uuid AND "tableName" = ${tableName} AND sequence = ${sequence}::int AND "importedAt" IS NULL`;
  }

  async sourceTables(ticketId: string): Promise<SourceTableFigures[]> {
    const rows = await this.prisma.tableUpload.findMany({
      where: { ticketId },
      select: { name: true, sourceRows: true, sourceHash: true },
      orderBy: [{ position: 'asc' }, { name: 'asc' }],
    });
    return rows.map((r) => ({ name: r.name, rows: r.sourceRows === null ? null : Number(r.sourceRows), hash: r.sourceHash }));
  }

  async saveVerdicts(ticketId: string, verdicts: readonly TableVerdict[]): Promise<void> {
    await this.prisma.$transaction(
      verdicts.map((v) =>
        this.prisma.tableUpload.update({
          where: { ticketId_name: { ticketId, name: v.name } },
          data: { verified: v.verified, verificationMessage: v.message },
        }),
      ),
    );
  }

  async configuration(ticketId: string): Promise<TicketConfiguration> {
    const ticket = await this.prisma.ticket.findUniqueOrThrow({
      where: { id: ticketId },
      select: { kind: true, tenantId: true, plan: true, _count: { select: { missingDocuments: true } } },
    });
    return {
      kind: ticket.kind as MigrationKind,
      tenantId: ticket.tenantId,
      plan: ticket.plan === null ? null : migrationPlanSchema.parse(ticket.plan),
      missingDocuments: ticket._count.missingDocuments,
    };
  }
}
