import { judgeChecksAgainstPlan, remainingFindingsError, type ArchiveScan, type CheckReport } from '@omt/contracts';
import type { AgentApiClient } from '../api/agent-api-client';
import type { CrmCatalog } from '../catalog/crm-catalog';
import { runChecks } from '../checks/run-checks';
import type { MigrateUi } from './migrate-options';

/**
 * Runs the checks and reports them. A blocking finding that must be fixed
 * onsite stops the migration here, each with its fix; the ones the plan
 * resolves (contracts' judgeChecksAgainstPlan) are judged with the plan next.
 */
export async function sendChecks(
  api: AgentApiClient,
  catalog: CrmCatalog,
  archive: ArchiveScan | null,
  ui: MigrateUi,
): Promise<CheckReport> {
  const report = runChecks({ catalog, archive });
  await api.putChecks(report);
  const judged = judgeChecksAgainstPlan(report, null);
  if (judged.remaining.some((f) => !f.planResolvable)) throw remainingFindingsError(judged)!;
  const warnings = report.results.filter((r) => !r.passed && r.severity === 'warn').length;
  ui.say(
    judged.remaining.length === 0
      ? `Checks: no blocking findings (${warnings} warning(s)).`
      : `Checks: ${judged.remaining.length} blocking finding(s) fixed in the plan (${judged.remaining.map((f) => f.id).join(', ')}); ${warnings} warning(s).`,
  );
  return report;
}
