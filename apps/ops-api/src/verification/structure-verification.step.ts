import { Injectable } from '@nestjs/common';
import { untranslatedWarning } from '@omt/copy-text';
import { LedgerRepository, type StructureVerdict } from '../ledger/ledger.repository';
import type { TenantDatabase } from '../tenants/tenant-database';
import { verifyTableStructure } from './structure-verifier';
import type { VerificationStep } from './verification-steps';

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
        ...(table.untranslated ?? []).map((item) => untranslatedWarning(table.name, item)),
        ...(await tenant.structureWarnings(table.name)),
      ];
      verdicts.push({ name: table.name, verified: differences.length === 0, message: differences.length ? differences.join(' ') : null, warnings });
      problems.push(...differences);
    }
    await this.repository.saveStructureVerdicts(ticketId, verdicts);
    return problems.length > 0 ? [`Structure verification failed: ${problems.join(' ')}`] : [];
  }
}
