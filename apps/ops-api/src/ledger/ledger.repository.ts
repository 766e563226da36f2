import { Injectable } from '@nestjs/common';
import {
  migrationPlanSchema,
  tableSchemaSchema,
  type MigrationKind,
  type MigrationPlan,
  type MigrationState,
  type TableSchema,
} from '@omt/contracts';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import type { StoredBatch, StoredDocument } from '../queues/import-jobs';

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

/** The structure's verdict of one table (columns, keys, indexes, defaults, identity). */
export interface StructureVerdict {
  name: string;
  verified: boolean;
  message: string | null;
  /** Shown, not failures: what the source declares that the tenant could not be given. */
  warnings: string[];
}

/** What the configuration step needs from the operations database. */
export interface TicketConfiguration {
  kind: MigrationKind;
  tenantId: string;
  plan: MigrationPlan | null;
  missingDocuments: number;
}

/** What the reconciler queues again for one ticket. */
export interface PiecesAwaitingImport {
  schemas: TableSchema[];
  batches: StoredBatch[];
  documents: StoredDocument[];
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

  async saveStructureVerdicts(ticketId: string, verdicts: readonly StructureVerdict[]): Promise<void> {
    await this.prisma.$transaction(
      verdicts.map((v) =>
        this.prisma.tableUpload.update({
          where: { ticketId_name: { ticketId, name: v.name } },
          data: { structureVerified: v.verified, structureMessage: v.message, structureWarnings: v.warnings },
        }),
      ),
    );
  }

  /**
   * The structure build begins: its start, unless a build that has not
   * finished began before (a retried job keeps the first start, so the
   * phase's time is not cut to the retry's).
   */
  async markStructureStarted(ticketId: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "Ticket" SET "structureStartedAt" = now(), "structureFinishedAt" = NULL
      WHERE id = ${ticketId}::uuid AND ("structureStartedAt" IS NULL OR "structureFinishedAt" IS NOT NULL)`;
  }

  async markStructureFinished(ticketId: string): Promise<void> {
    await this.prisma.$executeRaw`UPDATE "Ticket" SET "structureFinishedAt" = now() WHERE id = ${ticketId}::uuid`;
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

  /**
   * The run a ticket is ready to verify: its upload/complete time, once every
   * batch has been imported and every document stored; null before.
   */
  async completedRunReadyForVerification(ticketId: string): Promise<Date | null> {
    const ticket = await this.prisma.ticket.findUnique({ where: { id: ticketId }, select: { uploadCompletedAt: true } });
    if (!ticket?.uploadCompletedAt) return null;
    const pendingBatches = await this.prisma.batchUpload.count({ where: { ticketId, importedAt: null } });
    if (pendingBatches > 0) return null;
    const pendingDocuments = await this.prisma.documentUpload.count({ where: { ticketId, storedAt: null } });
    if (pendingDocuments > 0) return null;
    return ticket.uploadCompletedAt;
  }

  /** Tickets in one of the given states, with their state. */
  async ticketsIn(states: readonly MigrationState[]): Promise<{ id: string; state: MigrationState }[]> {
    const tickets = await this.prisma.ticket.findMany({ where: { state: { in: [...states] } }, select: { id: true, state: true } });
    return tickets.map((t) => ({ id: t.id, state: t.state as MigrationState }));
  }

  /** What of a ticket still waits for its import: every table schema (creation is idempotent), batches not imported, documents not stored. */
  async piecesAwaitingImport(ticketId: string): Promise<PiecesAwaitingImport> {
    const [tables, batches, documents] = await Promise.all([
      this.prisma.tableUpload.findMany({ where: { ticketId }, select: { schema: true } }),
      this.prisma.batchUpload.findMany({ where: { ticketId, importedAt: null } }),
      this.prisma.documentUpload.findMany({ where: { ticketId, storedAt: null } }),
    ]);
    return {
      schemas: tables.flatMap(({ schema }) => (schema === null ? [] : [tableSchemaSchema.parse(schema)])),
      batches: batches.map((b) => ({ table: b.tableName, sequence: b.sequence, blobKey: b.blobKey, sha256: b.sha256, rows: b.rows, bytes: b.bytes, parts: b.parts })),
      documents: documents.map((d) => ({
        ticketId: d.ticketId,
        documentId: d.documentId,
        relativePath: d.relativePath,
        blobKey: d.blobKey,
        sha256: d.sha256,
        bytes: Number(d.bytes),
      })),
    };
  }
}
