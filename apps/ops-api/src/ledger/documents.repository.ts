import { Injectable } from '@nestjs/common';
import type { MigrationState } from '@omt/contracts';
import { PrismaService } from '../prisma/prisma.service';

/** One document as the ledger holds it. */
export interface DocumentRecord {
  ticketId: string;
  documentId: number;
  relativePath: string;
  sha256: string;
  bytes: number;
  blobKey: string;
  storedAt: Date | null;
}

/** The ledger of documents that arrived whole, and what the documents feature needs of their ticket. */
@Injectable()
export class DocumentsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The ticket's state and its tenant's database name (the tenant's archive folder); null if there is no such ticket. */
  async ticketOf(ticketId: string): Promise<{ state: MigrationState; tenantDatabase: string } | null> {
    const ticket = await this.prisma.ticket.findUnique({
      where: { id: ticketId },
      select: { state: true, tenant: { select: { databaseName: true } } },
    });
    return ticket ? { state: ticket.state as MigrationState, tenantDatabase: ticket.tenant.databaseName } : null;
  }

  /** A document and its tenant's database name (its archive folder), in one query: what placing it needs. */
  async findForPlacement(
    ticketId: string,
    documentId: number,
  ): Promise<(DocumentRecord & { tenantDatabase: string }) | null> {
    const [row] = await this.prisma.$queryRaw<(JsonRow & { tenantDatabase: string })[]>`
      SELECT d."ticketId", d."documentId", d."relativePath", d.sha256, d.bytes::float8 AS bytes, d."blobKey",
             to_json(d."storedAt") #>> '{}' AS "storedAt", tn."databaseName" AS "tenantDatabase"
      FROM "DocumentUpload" d
      JOIN "Ticket" t ON t.id = d."ticketId"
      JOIN "Tenant" tn ON tn.id = t."tenantId"
      WHERE d."ticketId" = ${ticketId}::uuid AND d."documentId" = ${documentId}`;
    return row ? { ...toRecord(row), tenantDatabase: row.tenantDatabase } : null;
  }

  async find(ticketId: string, documentId: number): Promise<DocumentRecord | null> {
    const row = await this.prisma.documentUpload.findUnique({
      where: { ticketId_documentId: { ticketId, documentId } },
    });
    return row ? toRecord(row) : null;
  }

  /**
   * Records a document that arrived whole, in one statement (each query is a
   * round trip and CPU on both sides, paid per document): the ticket's state
   * is read under a share lock, so it cannot leave `receiving` before the row
   * commits (a state change locks the ticket for update); the row is written
   * only while the ticket is receiving, and only if it is new or a changed
   * file (another sha256 from another upload). Says what was there before, so
   * the caller can tell a re-finish, a duplicate and a replacement apart.
   */
  async recordArrival(
    document: Omit<DocumentRecord, 'storedAt'>,
    receiving: readonly MigrationState[],
  ): Promise<ArrivalOutcome> {
    const [row] = await this.prisma.$queryRaw<{ state: string | null; before: unknown; written: unknown }[]>`
      WITH ticket AS (
        SELECT state FROM "Ticket" WHERE id = ${document.ticketId}::uuid FOR SHARE
      ), before AS (
        SELECT * FROM "DocumentUpload" WHERE "ticketId" = ${document.ticketId}::uuid AND "documentId" = ${document.documentId}
      ), written AS (
        INSERT INTO "DocumentUpload" ("ticketId", "documentId", "relativePath", sha256, bytes, "blobKey", "receivedAt", "storedAt")
        SELECT ${document.ticketId}::uuid, ${document.documentId}, ${document.relativePath}, ${document.sha256},
               ${BigInt(document.bytes)}, ${document.blobKey}, now(), NULL
        FROM ticket WHERE ticket.state = ANY(${[...receiving]}::text[])
        ON CONFLICT ("ticketId", "documentId") DO UPDATE SET
          "relativePath" = EXCLUDED."relativePath", sha256 = EXCLUDED.sha256, bytes = EXCLUDED.bytes,
          "blobKey" = EXCLUDED."blobKey", "receivedAt" = EXCLUDED."receivedAt", "storedAt" = NULL
        WHERE "DocumentUpload".sha256 <> EXCLUDED.sha256 AND "DocumentUpload"."blobKey" <> EXCLUDED."blobKey"
        RETURNING *
      )
      SELECT (SELECT state FROM ticket) AS state,
             (SELECT row_to_json(b) FROM before b) AS before,
             (SELECT row_to_json(w) FROM written w) AS written`;
    const state = (row?.state ?? null) as MigrationState | null;
    return {
      state,
      before: row?.before ? toRecord(row.before as JsonRow) : null,
      written: row?.written ? toRecord(row.written as JsonRow) : null,
    };
  }

  /** Marks a document placed, only if the ledger still holds that version of it (a newer arrival waits for its own job). */
  async markStored(ticketId: string, documentId: number, sha256: string): Promise<boolean> {
    // One statement: Prisma's updateMany would wrap it in BEGIN/COMMIT (three round trips per document).
    const count = await this.prisma.$executeRaw`
      UPDATE "DocumentUpload" SET "storedAt" = now()
      WHERE "ticketId" = ${ticketId}::uuid AND "documentId" = ${documentId}::int AND sha256 = ${sha256}`;
    return count > 0;
  }

  /** The ticket's state, null if there is no such ticket (one query: `ticketOf` also reads its tenant). */
  async ticketState(ticketId: string): Promise<MigrationState | null> {
    const ticket = await this.prisma.ticket.findUnique({ where: { id: ticketId }, select: { state: true } });
    return (ticket?.state as MigrationState | undefined) ?? null;
  }

  async list(ticketId: string): Promise<DocumentRecord[]> {
    const rows = await this.prisma.documentUpload.findMany({ where: { ticketId }, orderBy: { documentId: 'asc' } });
    return rows.map(toRecord);
  }
}

/** What `recordArrival` found and did: the ticket's state (null: no such ticket), the row before, the row it wrote. */
export interface ArrivalOutcome {
  state: MigrationState | null;
  before: DocumentRecord | null;
  written: DocumentRecord | null;
}

/** A ledger row as `row_to_json` gives it (timestamps as ISO text). */
type JsonRow = Omit<DocumentRecord, 'storedAt'> & { storedAt: string | null };

/** A ledger row as Prisma gives it (bytes a bigint), or as `row_to_json` does. */
type LedgerRow = Omit<DocumentRecord, 'bytes' | 'storedAt'> & { bytes: bigint | number; storedAt: Date | string | null };

function toRecord(row: LedgerRow): DocumentRecord {
  return {
    ticketId: row.ticketId,
    documentId: row.documentId,
    relativePath: row.relativePath,
    sha256: row.sha256,
    bytes: Number(row.bytes),
    blobKey: row.blobKey,
    storedAt: row.storedAt === null ? null : new Date(row.storedAt),
  };
}
