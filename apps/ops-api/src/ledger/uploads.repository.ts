import { Injectable } from '@nestjs/common';
import type {
  BatchLimits,
  CheckReport,
  MigrationPlan,
  MigrationState,
  MissingDocument,
  StartUpload,
  TableComplete,
  TableSchema,
  UploadManifest,
} from '@omt/contracts';
import { structureCounts } from '@omt/copy-text';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { insertAuditEvent } from '../audit/audit.repository';
import { TicketTransaction } from '../ticket-state/tickets.repository';

/** A table's ledger row as the services see it. */
export interface TableRecord {
  name: string;
  schema: TableSchema | null;
  complete: TableComplete | null;
}

export interface BatchRecord {
  table: string;
  sequence: number;
  sha256: string;
  rows: number;
  bytes: number;
  storedBytes: number;
  blobKey: string;
  /** 0: one blob; otherwise the batch came in this many parts, under the folder `blobKey`. */
  parts: number;
  /** Index of its first row in the table's stream order; null from agents older than it. */
  firstRow: number | null;
  imported: boolean;
}

/** What `upload/complete` needs to know of each announced table. */
export interface TableCompleteness {
  name: string;
  /** Batches the agent said it sent; null until it sent the table's figures. */
  sourceBatches: number | null;
  /** Batches that arrived (a resume with other limits numbers its batches after the landed ones, so they need not be contiguous). */
  batchesReceived: number;
}

/** A ticket's upload state with one of its announced tables (null when not announced). */
export interface TicketTable {
  state: MigrationState;
  limits: BatchLimits | null;
  table: TableRecord | null;
}

export type BatchInsert =
  | { outcome: 'stored' }
  | { outcome: 'exists'; existing: BatchRecord }
  | { outcome: 'wrong-state'; state: MigrationState };

/**
 * A name as PostgreSQL text can hold it: NUL (which text cannot store)
 * becomes U+FFFD, visibly replaced rather than refused, since a document's
 * name is data the customer's CRM holds. (Lone surrogates already arrive as
 * U+FFFD: the driver encodes strings as UTF-8.)
 */
function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

const MISSING_DOCUMENTS_CHUNK = 10_000;
const TABLES_CHUNK = 5_000;
/** Starting an upload of 100 000 tables or replacing a million missing documents takes more than Prisma's 5 s default. */
const LONG_TRANSACTION = { timeout: 120_000, maxWait: 10_000 };

function toTableRecord(row: {
  name: string;
  schema: unknown;
  sourceBatches: number | null;
  sourceRows: bigint | null;
  sourceHash: string | null;
}): TableRecord {
  return {
    name: row.name,
    schema: (row.schema as TableSchema | null) ?? null,
    complete:
      row.sourceBatches === null || row.sourceRows === null || row.sourceHash === null
        ? null
        : { batches: row.sourceBatches, rows: Number(row.sourceRows), hash: row.sourceHash },
  };
}

/**
 * The upload ledgers inside one transaction with the ticket's own repository,
 * so a state change and the rows it depends on commit together.
 */
export class UploadsTransaction {
  constructor(private readonly tx: Prisma.TransactionClient) {}

  async uploadFields(ticketId: string): Promise<{ hasPlan: boolean; limits: BatchLimits | null; uploadCompletedAt: Date | null }> {
    const row = await this.tx.ticket.findUniqueOrThrow({
      where: { id: ticketId },
      select: { plan: true, batchLimits: true, uploadCompletedAt: true },
    });
    return {
      hasPlan: row.plan !== null,
      limits: (row.batchLimits as BatchLimits | null) ?? null,
      uploadCompletedAt: row.uploadCompletedAt,
    };
  }

  /** What the agent decided before the upload: its last checks report and the plan (null until sent). */
  async decisions(ticketId: string): Promise<{ checks: CheckReport | null; plan: MigrationPlan | null }> {
    const row = await this.tx.ticket.findUniqueOrThrow({ where: { id: ticketId }, select: { checksReport: true, plan: true } });
    return { checks: (row.checksReport as CheckReport | null) ?? null, plan: (row.plan as MigrationPlan | null) ?? null };
  }

  async storeChecks(ticketId: string, report: CheckReport): Promise<void> {
    await this.tx.ticket.update({ where: { id: ticketId }, data: { checksReport: report, lastActivityAt: new Date() } });
  }

  async storePlan(ticketId: string, plan: MigrationPlan): Promise<void> {
    await this.tx.ticket.update({ where: { id: ticketId }, data: { plan, lastActivityAt: new Date() } });
  }

  async announcedTables(ticketId: string): Promise<string[]> {
    const rows = await this.tx.tableUpload.findMany({ where: { ticketId }, select: { name: true } });
    return rows.map((r) => r.name);
  }

  /**
   * A new upload run: this run's limits (landed batches record their rows, so they may differ from an earlier run's), documents expected,
   * and (unless only documents are recovered) the announced tables upserted.
   */
  async startRun(ticketId: string, request: StartUpload, options: { tables: boolean }): Promise<void> {
    const now = new Date();
    const ticket = await this.tx.ticket.findUniqueOrThrow({ where: { id: ticketId }, select: { batchLimits: true, uploadStartedAt: true } });
    await this.tx.ticket.update({
      where: { id: ticketId },
      data: {
        // A document recovery sends no batch: the limits of the tables' last run stay on record.
        batchLimits: options.tables ? request.limits : (ticket.batchLimits ?? request.limits),
        expectedDocuments: request.documents.count,
        expectedDocumentBytes: BigInt(request.documents.bytes),
        uploadStartedAt: ticket.uploadStartedAt ?? now,
        uploadCompletedAt: null,
        lastActivityAt: now,
      },
    });
    if (!options.tables) return;
    for (let start = 0; start < request.tables.length; start += TABLES_CHUNK) {
      const chunk = request.tables.slice(start, start + TABLES_CHUNK);
      await this.tx.$executeRaw`
        INSERT INTO "TableUpload" ("ticketId", name, position, "expectedRows")
        SELECT ${ticketId}::uuid, t.name, t.position, t.rows
        FROM unnest(${chunk.map((t) => t.name)}::text[], ${chunk.map((_, i) => start + i)}::int[], ${chunk.map((t) => BigInt(t.rows))}::bigint[])
          AS t(name, position, rows)
        ON CONFLICT ("ticketId", name) DO UPDATE SET position = EXCLUDED.position, "expectedRows" = EXCLUDED."expectedRows"`;
    }
  }

  async tableCompleteness(ticketId: string): Promise<TableCompleteness[]> {
    const rows = await this.tx.$queryRaw<{ name: string; sourceBatches: number | null; received: bigint }[]>`
      SELECT u.name, u."sourceBatches",
             count(b.sequence) AS received
      FROM "TableUpload" u
      LEFT JOIN "BatchUpload" b ON b."ticketId" = u."ticketId" AND b."tableName" = u.name
      WHERE u."ticketId" = ${ticketId}::uuid
      GROUP BY u.name, u."sourceBatches", u.position
      ORDER BY u.position, u.name`;
    return rows.map((r) => ({ name: r.name, sourceBatches: r.sourceBatches, batchesReceived: Number(r.received) }));
  }

  /** The run's totals, for the audit line of upload/complete. */
  async runTotals(ticketId: string): Promise<{ tables: number; batches: number; rows: number; bytes: number }> {
    const [tables, batches] = await Promise.all([
      this.tx.tableUpload.count({ where: { ticketId } }),
      this.tx.batchUpload.aggregate({ where: { ticketId }, _count: true, _sum: { rows: true, bytes: true } }),
    ]);
    return { tables, batches: batches._count, rows: batches._sum.rows ?? 0, bytes: batches._sum.bytes ?? 0 };
  }

  async markUploadComplete(ticketId: string): Promise<void> {
    const now = new Date();
    await this.tx.ticket.update({ where: { id: ticketId }, data: { uploadCompletedAt: now, lastActivityAt: now } });
  }

  async replaceMissingDocuments(ticketId: string, documents: MissingDocument[]): Promise<void> {
    await this.tx.missingDocument.deleteMany({ where: { ticketId } });
    // unnest() of arrays: Prisma's createMany spends seconds building statements of this size.
    for (let start = 0; start < documents.length; start += MISSING_DOCUMENTS_CHUNK) {
      const chunk = documents.slice(start, start + MISSING_DOCUMENTS_CHUNK);
      await this.tx.$executeRaw`
        INSERT INTO "MissingDocument" ("ticketId", "documentId", name, "relativePath", reason)
        SELECT ${ticketId}::uuid, d.id, d.name, d.path, d.reason
        FROM unnest(${chunk.map((d) => d.documentId)}::int[], ${chunk.map((d) => storableText(d.name))}::text[],
                    ${chunk.map((d) => d.relativePath && storableText(d.relativePath))}::text[], ${chunk.map((d) => d.reason)}::text[])
          AS d(id, name, path, reason)`;
    }
    await this.tx.ticket.update({ where: { id: ticketId }, data: { lastActivityAt: new Date() } });
  }
}

/** The upload ledgers: tables, batches, documents and missing documents of a ticket. */
@Injectable()
export class UploadsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One transaction for the ticket's rows (lock the ticket with `tickets.lockTicket` first) and the ledgers. */
  inTransaction<T>(work: (tickets: TicketTransaction, uploads: UploadsTransaction) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => work(new TicketTransaction(tx), new UploadsTransaction(tx)), LONG_TRANSACTION);
  }

  async manifest(ticketId: string): Promise<UploadManifest> {
    const [ticket, tables, batches, documents, missing] = await Promise.all([
      this.prisma.ticket.findUniqueOrThrow({ where: { id: ticketId }, select: { batchLimits: true, uploadCompletedAt: true } }),
      this.prisma.tableUpload.findMany({
        where: { ticketId },
        select: { name: true, completedAt: true, schema: true, structureVerified: true, structureWarnings: true },
        orderBy: [{ position: 'asc' }, { name: 'asc' }],
      }),
      this.prisma.batchUpload.findMany({
        where: { ticketId },
        select: { tableName: true, sequence: true, sha256: true, firstRow: true, rows: true },
        orderBy: [{ tableName: 'asc' }, { sequence: 'asc' }],
      }),
      this.prisma.documentUpload.findMany({ where: { ticketId }, orderBy: { documentId: 'asc' } }),
      this.prisma.missingDocument.findMany({ where: { ticketId }, orderBy: { documentId: 'asc' } }),
    ]);
    const byTable = new Map<string, UploadManifest['tables'][number]['batches']>();
    for (const b of batches) {
      const list = byTable.get(b.tableName) ?? [];
      list.push({
        sequence: b.sequence,
        sha256: b.sha256,
        rows: b.rows,
        ...(b.firstRow === null ? {} : { firstRow: Number(b.firstRow) }),
      });
      byTable.set(b.tableName, list);
    }
    return {
      limits: (ticket.batchLimits as BatchLimits | null) ?? null,
      tables: tables.map((t) => ({ name: t.name, batches: byTable.get(t.name) ?? [], complete: t.completedAt !== null })),
      documents: documents.map((d) => ({ documentId: d.documentId, relativePath: d.relativePath, sha256: d.sha256, bytes: Number(d.bytes) })),
      missingDocuments: missing.map((m) => ({
        documentId: m.documentId,
        name: m.name,
        relativePath: m.relativePath,
        reason: m.reason as MissingDocument['reason'],
      })),
      uploadComplete: ticket.uploadCompletedAt !== null,
      structure: {
        verified: tables.length > 0 && tables.every((t) => t.structureVerified !== null) ? tables.every((t) => t.structureVerified) : null,
        tables: tables.length,
        // Validated when it was stored; the agent asks once a second, so no second parse here.
        ...structureCounts(tables.flatMap((t) => (t.schema === null ? [] : [t.schema as unknown as TableSchema]))),
        warnings: tables.flatMap((t) => t.structureWarnings),
      },
    };
  }

  async ticketState(ticketId: string): Promise<{ state: MigrationState; limits: BatchLimits | null } | null> {
    const row = await this.prisma.ticket.findUnique({ where: { id: ticketId }, select: { state: true, batchLimits: true } });
    return row ? { state: row.state as MigrationState, limits: (row.batchLimits as BatchLimits | null) ?? null } : null;
  }

  async findTable(ticketId: string, name: string): Promise<TableRecord | null> {
    const row = await this.prisma.tableUpload.findUnique({ where: { ticketId_name: { ticketId, name } } });
    return row ? toTableRecord(row) : null;
  }

  /**
   * The ticket's state and limits with one of its tables, in one query: each
   * batch asks for both, and a query costs more than the join.
   */
  async ticketTable(ticketId: string, name: string): Promise<TicketTable | null> {
    const [row] = await this.prisma.$queryRaw<
      {
        state: string;
        batchLimits: unknown;
        name: string | null;
        schema: unknown;
        sourceBatches: number | null;
        sourceRows: bigint | null;
        sourceHash: string | null;
      }[]
    >`
      SELECT t.state, t."batchLimits", u.name, u.schema, u."sourceBatches", u."sourceRows", u."sourceHash"
      FROM "Ticket" t LEFT JOIN "TableUpload" u ON u."ticketId" = t.id AND u.name = ${name}
      WHERE t.id = ${ticketId}::uuid`;
    if (!row) return null;
    return {
      state: row.state as MigrationState,
      limits: (row.batchLimits as BatchLimits | null) ?? null,
      table: row.name === null ? null : toTableRecord({ ...row, name: row.name }),
    };
  }

  /**
   * What a new schema's names are checked against: every announced table's
   * name, and whether its stored schema has a key (whose index takes a name
   * too). Names and a flag, not whole schemas: asked once per table.
   */
  async announcedNames(ticketId: string): Promise<{ name: string; keyed: boolean }[]> {
    return this.prisma.$queryRaw<{ name: string; keyed: boolean }[]>`
      SELECT name, coalesce(jsonb_array_length(schema -> 'primaryKey') > 0, false) AS keyed
      FROM "TableUpload" WHERE "ticketId" = ${ticketId}::uuid`;
  }

  /** Stores the schema unless one is stored already (a concurrent first upload loses, and compares). */
  async setSchemaIfUnset(ticketId: string, name: string, schema: TableSchema): Promise<void> {
    await this.prisma.tableUpload.updateMany({
      where: { ticketId, name, schema: { equals: Prisma.AnyNull } },
      data: { schema },
    });
  }

  /** Stores the source's figures (and their audit line) unless stored already; answers what is stored now. */
  async setCompleteIfUnset(
    ticketId: string,
    name: string,
    figures: TableComplete,
    audit: { actor: string; reason: string },
  ): Promise<TableComplete | null> {
    await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.tableUpload.updateMany({
        where: { ticketId, name, completedAt: null },
        data: { sourceBatches: figures.batches, sourceRows: BigInt(figures.rows), sourceHash: figures.hash, completedAt: new Date() },
      });
      if (count === 1) await insertAuditEvent(tx, { ticketId, action: 'table.completed', ...audit });
    });
    return (await this.findTable(ticketId, name))?.complete ?? null;
  }

  /**
   * Records a batch, exactly once, and the ticket's last activity, in one
   * statement: the ticket row is updated only while it is `uploading`, which
   * also locks it until the insert commits, so the state cannot leave
   * `uploading` in between (upload/complete locks it for update); the
   * primary key decides between two concurrent uploads of the same batch.
   * Only a refusal or a duplicate costs a second query.
   */
  async insertBatch(ticketId: string, batch: Omit<BatchRecord, 'imported'>): Promise<BatchInsert> {
    const [result] = await this.prisma.$queryRaw<{ uploading: boolean; inserted: boolean }[]>`
      WITH ticket AS (
        UPDATE "Ticket" SET "lastActivityAt" = now() WHERE id = ${ticketId}::uuid AND state = 'uploading' RETURNING id
      ), inserted AS (
        INSERT INTO "BatchUpload" ("ticketId", "tableName", sequence, sha256, rows, bytes, "storedBytes", "blobKey", parts, "firstRow")
        SELECT id, ${batch.table}::text, ${batch.sequence}::int, ${batch.sha256}::text, ${batch.rows}::int, ${batch.bytes}::int,
               ${batch.storedBytes}::int, ${batch.blobKey}::text, ${batch.parts}::int, ${batch.firstRow}::bigint
        FROM ticket
        ON CONFLICT ("ticketId", "tableName", sequence) DO NOTHING
        RETURNING 1
      )
      SELECT EXISTS (SELECT 1 FROM ticket) AS uploading, EXISTS (SELECT 1 FROM inserted) AS inserted`;
    if (result?.inserted) return { outcome: 'stored' };
    if (!result?.uploading) return { outcome: 'wrong-state', state: (await this.ticketState(ticketId))?.state ?? 'cancelled' };
    const existing = await this.findBatch(ticketId, batch.table, batch.sequence);
    if (!existing) throw new Error(`Batch ${batch.sequence} of table '${batch.table}' vanished from the upload ledger.`);
    return { outcome: 'exists', existing };
  }

  async findBatch(ticketId: string, table: string, sequence: number): Promise<BatchRecord | null> {
    const row = await this.prisma.batchUpload.findUnique({
      where: { ticketId_tableName_sequence: { ticketId, tableName: table, sequence } },
    });
    if (!row) return null;
    return {
      table: row.tableName,
      sequence: row.sequence,
      sha256: row.sha256,
      rows: row.rows,
      bytes: row.bytes,
      storedBytes: row.storedBytes,
      blobKey: row.blobKey,
      parts: row.parts,
      firstRow: row.firstRow === null ? null : Number(row.firstRow),
      imported: row.importedAt !== null,
    };
  }

  async touch(ticketId: string): Promise<void> {
    await this.prisma.ticket.update({ where: { id: ticketId }, data: { lastActivityAt: new Date() } });
  }
}
