import { judgeChecksAgainstPlan, validatePlan, type MigratorContact, type PlanIssue } from '@omt/contracts';
import { runChecks } from '../checks/run-checks';
import { planJson, readPlanFile, writePlanFile } from '../plan/plan-file';
import { startingPlan, summarisePlan, type PlanSummary } from '../plan/starting-plan';
import { readPlanSource } from '../plan/user-directory';
import { openSource } from '../source/open-source';
import { describeSource } from '../source/source-url';
import { EXIT_BLOCKED, type CommandResult } from './command-result';
import { resolveSource, type SourceFlags } from './resolve-source';

export interface PlanInitFlags extends SourceFlags {
  out?: string;
  migratorName?: string;
  migratorEmail?: string;
  migratorPhone?: string;
}

export interface PlanValidateFlags extends SourceFlags {
  plan: string;
}

async function readDirectory(flags: SourceFlags) {
  const { location } = await resolveSource(flags);
  const source = openSource(location);
  try {
    return { source: describeSource(location), ...(await readPlanSource(source)) };
  } finally {
    await source.close();
  }
}

/**
 * A starting plan from the onsite database (current plans, first address per
 * user) for the migrator to edit. Without --out the plan itself is the output,
 * human or --json alike, so `plan init > plan.json` works.
 */
export async function planInitCommand(flags: PlanInitFlags): Promise<CommandResult> {
  const { directory } = await readDirectory(flags);
  const migrator: MigratorContact = {
    name: flags.migratorName ?? '',
    email: flags.migratorEmail ?? '',
    phone: flags.migratorPhone ?? '',
  };
  const plan = startingPlan(directory, migrator);
  if (!flags.out) return { data: plan, human: planJson(plan) };
  await writePlanFile(flags.out, plan);
  const issues = validatePlan(plan, directory);
  const summary = summarisePlan(plan, directory);
  return {
    data: { out: flags.out, summary, issues },
    human: [
      `Wrote the plan for ${summary.users} users to ${flags.out}.`,
      formatSummary(summary),
      issues.length ? `Still to fix before it can be used:\n${formatIssues(issues)}` : 'It passes every rule.',
      `Edit it, then: omt-agent plan validate --plan ${flags.out}`,
    ].join('\n'),
  };
}

/**
 * Checks a plan file against the onsite directory with the rules the API
 * applies, and against the blocking check findings the plan step fixes
 * (shared login emails, no administrator with a plan); exit 2 when it breaks
 * a rule or leaves such a finding.
 */
export async function planValidateCommand(flags: PlanValidateFlags): Promise<CommandResult> {
  const plan = await readPlanFile(flags.plan);
  const { directory, catalog, source } = await readDirectory(flags);
  const issues = validatePlan(plan, directory);
  const summary = summarisePlan(plan, directory);
  // The documents are not the plan's business: no archive scan here.
  const findings = judgeChecksAgainstPlan(runChecks({ catalog, archive: null }), plan).findings.filter(
    (f) => f.planResolvable,
  );
  const unresolved = findings.filter((f) => !f.resolved);
  const valid = issues.length === 0 && unresolved.length === 0;
  return {
    data: { plan: flags.plan, source, valid, summary, issues, findings },
    human: [
      `Plan ${flags.plan} against ${source}:`,
      formatSummary(summary),
      ...findings.map((f) =>
        f.resolved
          ? `  Resolves the check finding: ${f.title} [${f.id}]`
          : `  Leaves the check finding: ${f.title} [${f.id}]: ${f.message}`,
      ),
      issues.length
        ? `${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}:\n${formatIssues(issues)}`
        : 'The plan passes every rule.',
    ].join('\n'),
    exitCode: valid ? 0 : EXIT_BLOCKED,
  };
}

export function formatSummary(summary: PlanSummary): string {
  return summary.perPlan
    .map(
      (p) =>
        `  ${p.description.padEnd(28)} ${String(p.users).padStart(4)}${p.seats === null ? '' : ` / ${p.seats} seats`}`,
    )
    .join('\n');
}

export function formatIssues(issues: readonly PlanIssue[]): string {
  return [...new Set(issues.map((i) => `  - ${i.message} [${i.code}]`))].join('\n');
}
