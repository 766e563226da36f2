import { Injectable } from '@nestjs/common';
import type { MigrationState } from '@omt/contracts';
import { PrismaService } from '../prisma/prisma.service';

/** A ticket's progress as counted in the ledgers; plain numbers, no Prisma types. */
export interface ProgressFigures {
  state: MigrationState;
  tablesTotal: number;
  /** Tables whose figures arrived and whose every batch is imported. */
  tablesDone: number;
  rowsTotal: number;
  rowsImported: number;
  batchBytesReceived: number;
  batchBytesImported: number;
  documentsTotal: number;
  documentBytesTotal: number;
  documentsStored: number;
  documentBytesStored: number;
}

@Injectable()
export class ProgressRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One query over the ticket's ledgers; null when the ticket does not exist. */
  async figures(ticketId: string): Promise<ProgressFigures | null> {
    const rows = await this.prisma.$queryRaw<Record<keyof ProgressFigures, unknown>[]>`
      SELECT
        t.state AS "state",
        tables.total AS "tablesTotal",
        tables.done AS "tablesDone",
        tables.rows AS "rowsTotal",
        batches.rows_imported AS "rowsImported",
        batches.bytes_received AS "batchBytesReceived",
        batches.bytes_imported AS "batchBytesImported",
        t."expectedDocuments" AS "documentsTotal",
        t."expectedDocumentBytes" AS "documentBytesTotal",
        documents.stored AS "documentsStored",
        documents.bytes_stored AS "documentBytesStored"
      FROM "Ticket" t
      CROSS JOIN LATERAL (
        SELECT count(*) AS total,
               coalesce(sum(coalesce(u."sourceRows", u."expectedRows")), 0) AS rows,
               count(*) FILTER (WHERE u."completedAt" IS NOT NULL AND (
                 SELECT count(*) FROM "BatchUpload" b
                 WHERE b."ticketId" = u."ticketId" AND b."tableName" = u.name AND b."importedAt" IS NOT NULL
               ) >= u."sourceBatches") AS done
        FROM "TableUpload" u WHERE u."ticketId" = t.id
      ) tables
      CROSS JOIN LATERAL (
        SELECT coalesce(sum(b.rows) FILTER (WHERE b."importedAt" IS NOT NULL), 0) AS rows_imported,
               coalesce(sum(b.bytes), 0) AS bytes_received,
               coalesce(sum(b.bytes) FILTER (WHERE b."importedAt" IS NOT NULL), 0) AS bytes_imported
        FROM "BatchUpload" b WHERE b."ticketId" = t.id
      ) batches
      CROSS JOIN LATERAL (
        SELECT count(*) AS stored, coalesce(sum(d.bytes), 0) AS bytes_stored
        FROM "DocumentUpload" d WHERE d."ticketId" = t.id AND d."storedAt" IS NOT NULL
      ) documents
      WHERE t.id = ${ticketId}::uuid`;
    const row = rows[0];
    if (!row) return null;
    // Counts and sums arrive as bigint; ledgers of one ticket stay far below 2^53.
    return Object.fromEntries(
      Object.entries(row).map(([key, value]) => [key, key === 'state' ? value : Number(value)]),
    ) as unknown as ProgressFigures;
  }
}
