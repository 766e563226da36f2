import { Injectable } from '@nestjs/common';
import { checkReportSchema, migrationPlanSchema, type CheckReport, type MigrationPlan, type MigrationState, type TableProgress, type TableSchema } from '@omt/contracts';
import { renamedColumns, structureCounts, tenantIdentifier } from '@omt/copy-text';
import { PrismaService } from '../prisma/prisma.service';

export interface TicketUploadFields {
  checks: CheckReport | null;
  plan: MigrationPlan | null;
  expectedDocuments: number;
  expectedDocumentBytes: number;
  uploadStartedAt: Date | null;
  uploadCompletedAt: Date | null;
  lastActivityAt: Date | null;
}

/** The ledgers as ops see them on the ticket page; plain types out. */
@Injectable()
export class TicketDetailRepository {
  constructor(private readonly prisma: PrismaService) {}

  async uploadFields(ticketId: string): Promise<TicketUploadFields> {
    const row = await this.prisma.ticket.findUniqueOrThrow({
      where: { id: ticketId },
      select: {
        checksReport: true,
        plan: true,
        expectedDocuments: true,
        expectedDocumentBytes: true,
        uploadStartedAt: true,
        uploadCompletedAt: true,
        lastActivityAt: true,
      },
    });
    return {
      checks: row.checksReport === null ? null : checkReportSchema.parse(row.checksReport),
      plan: row.plan === null ? null : migrationPlanSchema.parse(row.plan),
      expectedDocuments: row.expectedDocuments,
      expectedDocumentBytes: Number(row.expectedDocumentBytes),
      uploadStartedAt: row.uploadStartedAt,
      uploadCompletedAt: row.uploadCompletedAt,
      lastActivityAt: row.lastActivityAt,
    };
  }

  /** Each announced table with its batches received and imported, in the agent's order. */
  async tables(ticketId: string): Promise<TableProgress[]> {
    const rows = await this.prisma.$queryRaw<
      {
        name: string;
        schema: TableSchema | null;
        expectedRows: bigint;
        completedAt: Date | null;
        verified: boolean | null;
        verificationMessage: string | null;
        structureVerified: boolean | null;
        structureMessage: string | null;
        structureWarnings: string[] | null;
        rowsReceived: bigint;
        rowsImported: bigint;
        batchesReceived: bigint;
        batchesImported: bigint;
      }[]
    >`
      SELECT u.name, u.schema, u."expectedRows", u."completedAt", u.verified, u."verificationMessage",
             u."structureVerified", u."structureMessage", u."structureWarnings",
             coalesce(sum(b.rows), 0) AS "rowsReceived",
             coalesce(sum(b.rows) FILTER (WHERE b."importedAt" IS NOT NULL), 0) AS "rowsImported",
             count(b.sequence) AS "batchesReceived",
             count(b.sequence) FILTER (WHERE b."importedAt" IS NOT NULL) AS "batchesImported"
      FROM "TableUpload" u
      LEFT JOIN "BatchUpload" b ON b."ticketId" = u."ticketId" AND b."tableName" = u.name
      WHERE u."ticketId" = ${ticketId}::uuid
      GROUP BY u."ticketId", u.name
      ORDER BY min(u.position), u.name`;
    return rows.map((r) => ({
      name: r.name,
      // The worker names the tenant's objects with the same function: the mapping is computed, not looked up.
      tenantName: tenantIdentifier(r.name),
      renamedColumns: r.schema ? renamedColumns(r.schema.columns) : [],
      expectedRows: Number(r.expectedRows),
      rowsReceived: Number(r.rowsReceived),
      rowsImported: Number(r.rowsImported),
      batchesReceived: Number(r.batchesReceived),
      batchesImported: Number(r.batchesImported),
      complete: r.completedAt !== null,
      verified: r.verified,
      verificationMessage: r.verificationMessage,
      structureVerified: r.structureVerified,
      structureMessage: r.structureMessage,
      structureWarnings: r.structureWarnings ?? [],
      ...structureCounts(r.schema ? [r.schema] : []),
    }));
  }

  /** The state a ticket was in when it last moved to `failed` (from its audit trail); null when it never did. */
  async stateBeforeFailure(ticketId: string): Promise<MigrationState | null> {
    const row = await this.prisma.auditEvent.findFirst({
      where: { ticketId, action: 'ticket.stateChanged', toState: 'failed' },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      select: { fromState: true },
    });
    return (row?.fromState as MigrationState | null | undefined) ?? null;
  }
}
