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

  async find(ticketId: string, documentId: number): Promise<DocumentRecord | null> {
    const row = await this.prisma.documentUpload.findUnique({
      where: { ticketId_documentId: { ticketId, documentId } },
    });
    return row ? toRecord(row) : null;
  }

  /**
   * Records a document that arrived whole and says which blob is no longer
   * needed. A changed file (recovery re-sends it) replaces the earlier
   * version, which must then be placed again; the same bytes arriving in
   * another upload change nothing.
   */
  async record(
    document: Omit<DocumentRecord, 'storedAt'>,
  ): Promise<{ current: DocumentRecord; discard: string | null }> {
    return this.prisma.$transaction(async (tx) => {
      const key = { ticketId: document.ticketId, documentId: document.documentId };
      const before = await tx.documentUpload.findUnique({ where: { ticketId_documentId: key } });
      if (before && (before.sha256 === document.sha256 || before.blobKey === document.blobKey)) {
        return { current: toRecord(before), discard: before.blobKey === document.blobKey ? null : document.blobKey };
      }
      const data = {
        relativePath: document.relativePath,
        sha256: document.sha256,
        bytes: BigInt(document.bytes),
        blobKey: document.blobKey,
        receivedAt: new Date(),
        storedAt: null,
      };
      const row = await tx.documentUpload.upsert({
        where: { ticketId_documentId: key },
        create: { ...key, ...data },
        update: data,
      });
      return { current: toRecord(row), discard: before?.blobKey ?? null };
    });
  }

  /** Marks a document placed, only if the ledger still holds that version of it (a newer arrival waits for its own job). */
  async markStored(ticketId: string, documentId: number, sha256: string): Promise<boolean> {
    const { count } = await this.prisma.documentUpload.updateMany({
      where: { ticketId, documentId, sha256 },
      data: { storedAt: new Date() },
    });
    return count > 0;
  }

  async list(ticketId: string): Promise<DocumentRecord[]> {
    const rows = await this.prisma.documentUpload.findMany({ where: { ticketId }, orderBy: { documentId: 'asc' } });
    return rows.map(toRecord);
  }
}

function toRecord(row: {
  ticketId: string;
  documentId: number;
  relativePath: string;
  sha256: string;
  bytes: bigint;
  blobKey: string;
  storedAt: Date | null;
}): DocumentRecord {
  return {
    ticketId: row.ticketId,
    documentId: row.documentId,
    relativePath: row.relativePath,
    sha256: row.sha256,
    bytes: Number(row.bytes),
    blobKey: row.blobKey,
    storedAt: row.storedAt,
  };
}
