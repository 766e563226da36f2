import { Injectable } from '@nestjs/common';
import { tenantIdentifier, type TableDigestResult } from '@omt/copy-text';
import { DocumentVerifier, type DocumentMismatch } from '../documents/document-verifier.service';
import type { TenantDatabase } from '../tenants/tenant-database';
import { describeMismatches, verifyTenant } from './table-verifier';
import { LedgerRepository, type TableVerdict } from '../ledger/ledger.repository';

/**
 * One check of what landed against what the source said. Verification runs
 * every step and fails when any reports a problem; each step records its
 * own per-item verdicts (tables here; documents are another step).
 */
export interface VerificationStep {
  readonly name: string;
  /** Problems in words, naming what differs; empty when everything matches. */
  verify(ticketId: string, tenant: TenantDatabase): Promise<string[]>;
}

/** The steps the verify processor runs, in order: `useFactory` in PipelineModule lists them. */
export const VERIFICATION_STEPS = Symbol('VERIFICATION_STEPS');

/** Every table: row count and content hash at the source (TableComplete) against the tenant's. */
@Injectable()
export class TableVerificationStep implements VerificationStep {
  readonly name = 'tables';

  constructor(private readonly repository: LedgerRepository) {}

  async verify(ticketId: string, tenant: TenantDatabase): Promise<string[]> {
    const tables = await this.repository.sourceTables(ticketId);
    const expected = new Map<string, TableDigestResult>();
    const unreported: string[] = [];
    for (const t of tables) {
      if (t.rows === null || t.hash === null) unreported.push(t.name);
      else expected.set(t.name, { rows: t.rows, hash: t.hash });
    }
    const mismatches = await verifyTenant(tenant, expected);
    const byTable = new Map(mismatches.map((m) => [m.table, m.message]));
    const verdicts: TableVerdict[] = tables.map((t) => {
      if (unreported.includes(t.name)) return { name: t.name, verified: false, message: 'The agent never sent the table\'s row count and hash.' };
      const message = byTable.get(t.name);
      if (message !== undefined) return { name: t.name, verified: false, message };
      // A table the tenant holds under a shortened name says which one was compared.
      const tenantName = tenantIdentifier(t.name);
      return { name: t.name, verified: true, message: tenantName === t.name ? null : `Equal to the source as "${tenantName}" in the tenant.` };
    });
    await this.repository.saveVerdicts(ticketId, verdicts);

    const problems: string[] = [];
    if (mismatches.length > 0) problems.push(describeMismatches(mismatches));
    if (unreported.length > 0) {
      problems.push(`No source figures for ${unreported.map((n) => `"${n}"`).join(', ')}: the agent never completed ${unreported.length === 1 ? 'that table' : 'those tables'}.`);
    }
    return problems;
  }
}

const DOCUMENT_PROBLEMS: Record<DocumentMismatch['problem'], string> = {
  'not-stored': 'was never placed in the archive',
  missing: 'is gone from the archive',
  changed: 'differs from what arrived (sha256)',
};
/** How many documents a reason names before it only counts the rest. */
const NAMED_DOCUMENTS = 10;

/** Every document that arrived: in its place in the tenant's archive, with the sha256 it arrived with. */
@Injectable()
export class DocumentVerificationStep implements VerificationStep {
  readonly name = 'documents';

  constructor(private readonly verifier: DocumentVerifier) {}

  async verify(ticketId: string): Promise<string[]> {
    const mismatches = await this.verifier.verifyDocuments(ticketId);
    if (mismatches.length === 0) return [];
    const named = mismatches.slice(0, NAMED_DOCUMENTS).map((m) => `document ${m.documentId} ("${m.relativePath}") ${DOCUMENT_PROBLEMS[m.problem]}`);
    const more = mismatches.length > NAMED_DOCUMENTS ? ` and ${mismatches.length - NAMED_DOCUMENTS} more` : '';
    return [`Verification failed for ${mismatches.length} document(s): ${named.join('; ')}${more}.`];
  }
}
