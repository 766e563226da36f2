import { Injectable } from '@nestjs/common';
import type { TableSchema, UntranslatedStructure } from '@omt/contracts';
import { LedgerRepository, type StructureVerdict } from '../ledger/ledger.repository';
import { tableWords } from '../tenants/structure-build';
import type { TenantDatabase } from '../tenants/tenant-database';
import { verifyTableStructure } from './structure-verifier';
import type { VerificationStep } from './verification-steps';

/** A warning for something the source declares that the tenant could not be given as it is. */
export function untranslatedWarning(table: TableSchema, item: UntranslatedStructure): string {
  const what = item.object === 'default' ? `The default of column "${item.name}"` : `${item.object === 'index' ? 'Index' : 'Constraint'} "${item.name}"`;
  return `${what} of ${tableWords(table.name)} was not carried over: ${item.reason} (at the source: ${item.definition}).`;
}

/**
 * Every table the agent sent: the tenant's structure, read from
 * PostgreSQL's catalog, against the structure the source declared. A
 * difference fails verification naming it; untranslated items and defaults
 * PostgreSQL refused are warnings, saved beside the verdict.
 */
@Injectable()
export class StructureVerificationStep implements VerificationStep {
  readonly name = 'structure';

  constructor(private readonly repository: LedgerRepository) {}

  async verify(ticketId: string, tenant: TenantDatabase): Promise<string[]> {
    const verdicts: StructureVerdict[] = [];
    const problems: string[] = [];
    for (const table of await this.repository.tableSchemas(ticketId)) {
      const differences = await verifyTableStructure(tenant, table);
      const warnings = [
        ...(table.untranslated ?? []).map((item) => untranslatedWarning(table, item)),
        ...(await tenant.structureWarnings(table.name)),
      ];
      verdicts.push({ name: table.name, verified: differences.length === 0, message: differences.length ? differences.join(' ') : null, warnings });
      problems.push(...differences);
    }
    await this.repository.saveStructureVerdicts(ticketId, verdicts);
    return problems.length > 0 ? [`Structure verification failed: ${problems.join(' ')}`] : [];
  }
}
