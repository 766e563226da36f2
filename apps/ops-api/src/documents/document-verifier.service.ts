import { Injectable } from '@nestjs/common';
import { DocumentsRepository } from '../ledger/documents.repository';
import { TenantArchive } from './tenant-archive';

/** A document whose archive copy is not what arrived. */
export interface DocumentMismatch {
  documentId: number;
  relativePath: string;
  /** `not-stored`: never placed; `missing`: its file is gone; `changed`: the file's sha256 differs. */
  problem: 'not-stored' | 'missing' | 'changed';
  expectedSha256: string;
  actualSha256: string | null;
}

/**
 * The document half of verification: every document in the ledger is
 * hashed again where it lies in the tenant's archive (it was hashed on
 * arrival and while being placed; this catches anything since).
 */
@Injectable()
export class DocumentVerifier {
  constructor(
    private readonly documents: DocumentsRepository,
    private readonly archive: TenantArchive,
  ) {}

  /** Every mismatch of the ticket's documents; empty when all are in place. Throws NOT_FOUND-like Error for an unknown ticket. */
  async verifyDocuments(ticketId: string): Promise<DocumentMismatch[]> {
    const ticket = await this.documents.ticketOf(ticketId);
    if (!ticket) throw new Error(`No ticket has the id ${ticketId}.`);
    const mismatches: DocumentMismatch[] = [];
    for (const document of await this.documents.list(ticketId)) {
      const base = {
        documentId: document.documentId,
        relativePath: document.relativePath,
        expectedSha256: document.sha256,
      };
      if (!document.storedAt) {
        mismatches.push({ ...base, problem: 'not-stored', actualSha256: null });
        continue;
      }
      const actual = await this.archive.hashOf(ticket.tenantDatabase, document.relativePath);
      if (actual !== document.sha256)
        mismatches.push({ ...base, problem: actual === null ? 'missing' : 'changed', actualSha256: actual });
    }
    return mismatches;
  }
}
