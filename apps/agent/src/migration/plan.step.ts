import {
  OmtError,
  judgeChecksAgainstPlan,
  remainingFindingsError,
  validatePlan,
  type CheckReport,
  type MigrationPlan,
} from '@omt/contracts';
import type { AgentApiClient } from '../api/agent-api-client';
import type { CrmCatalog } from '../catalog/crm-catalog';
import { readPlanFile } from '../plan/plan-file';
import { startingPlan } from '../plan/starting-plan';
import { readPlanSource } from '../plan/user-directory';
import type { SourceConnector } from '../source/source-connector';
import type { MigrateOptions, MigrateUi } from './migrate-options';

/**
 * Chooses the plan, checks that it resolves the findings the plan step fixes
 * and passes every rule, and sends it: the API judges it the same way.
 */
export async function sendPlan(
  api: AgentApiClient,
  source: SourceConnector,
  catalog: CrmCatalog,
  report: CheckReport | null,
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<void> {
  const { directory } = await readPlanSource(source, catalog);
  const plan = await choosePlan(directory, options, ui);
  const judged = report && judgeChecksAgainstPlan(report, plan);
  const unresolved = judged && remainingFindingsError(judged);
  if (unresolved) {
    throw new OmtError(
      unresolved.code,
      `${unresolved.message} ${options.planFile ? `Edit ${options.planFile}` : 'Write a plan (omt-agent plan init, or omt-agent wizard)'}, check it with omt-agent plan validate, then run migrate --plan again.`,
      unresolved.details,
    );
  }
  const issues = validatePlan(plan, directory);
  if (issues.length > 0) {
    throw new OmtError(
      'PLAN_INVALID',
      `The plan breaks ${issues.length} rule(s); fix ${options.planFile ?? 'it'} (omt-agent plan validate shows them too).`,
      issues.map((i) => ({ path: i.path, message: i.message })),
    );
  }
  await api.putPlan({ plan, directory });
  const resolved = judged?.findings.filter((f) => f.resolved).map((f) => f.id) ?? [];
  ui.say(
    `Plan: ${plan.users.filter((u) => u.plan !== null).length} of ${plan.users.length} users with a user plan` +
      `${resolved.length ? `; it resolves ${resolved.join(', ')}` : ''}.`,
  );
}

async function choosePlan(
  directory: Parameters<typeof startingPlan>[0],
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<MigrationPlan> {
  if (options.planFile) return readPlanFile(options.planFile);
  const plan = startingPlan(directory, options.migrator);
  if (options.yes) {
    ui.say(
      'No --plan given: using the starting plan (every user keeps their current plan and logs in with their first address).',
    );
    return plan;
  }
  if (!ui.ask) {
    throw new OmtError(
      'VALIDATION_FAILED',
      'No plan to use: pass --plan plan.json (write one with `omt-agent plan init`, or use `omt-agent wizard`), or --yes to use the starting plan.',
    );
  }
  const withPlan = plan.users.filter((u) => u.plan !== null).length;
  const accepted = await ui.ask(
    `No --plan given. Use the starting plan (${withPlan} of ${plan.users.length} users keep their current plan and log in with their first address)?`,
  );
  if (!accepted)
    throw new OmtError(
      'VALIDATION_FAILED',
      'Stopped: write a plan with `omt-agent plan init` or the wizard, then run migrate with --plan.',
    );
  return plan;
}
