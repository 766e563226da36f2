import { OmtError, judgeChecksAgainstPlan, type ArchiveScan, type CheckReport } from '@omt/contracts';
import { scanArchive } from '../archive/archive-scan';
import { readCrmCatalog } from '../catalog/crm-catalog';
import { runChecks } from '../checks/run-checks';
import { CLI_PASSWORD_SOURCE, logOnAsAdministrator } from '../logon/admin-logon';
import { openSource } from '../source/open-source';
import { describeSource } from '../source/source-url';
import { EXIT_BLOCKED, type CommandResult } from './command-result';
import { formatBytes, indent } from '../text/format';
import { resolveSource, type SourceFlags } from './resolve-source';

export interface CheckFlags extends SourceFlags {
  user?: string;
  password?: string;
}

export async function checkCommand(flags: CheckFlags): Promise<CommandResult> {
  if (!flags.user || flags.password === undefined) {
    throw new OmtError(
      'VALIDATION_FAILED',
      'check needs the CRM administrator: --user <login> and --password (or OMT_CRM_USER / OMT_CRM_PASSWORD).',
    );
  }
  const { location, archive } = await resolveSource(flags);
  const source = openSource(location);
  try {
    const catalog = await readCrmCatalog(source);
    const session = logOnAsAdministrator(catalog, flags.user, flags.password, CLI_PASSWORD_SOURCE);
    const scan = archive ? await scanArchive(catalog, archive) : null;
    const report = runChecks({ catalog, archive: scan });
    // Which blocking findings the plan step fixes instead of work onsite (contracts' rule, as migrate and the API apply it).
    const fixedInPlan = judgeChecksAgainstPlan(report, null).findings.filter((f) => f.planResolvable);
    return {
      data: {
        source: describeSource(location),
        administrator: session,
        report,
        fixedInPlan,
        archive: scan && summariseScan(scan),
      },
      human: formatReport(describeSource(location), session.login, report, scan),
      exitCode: report.blocked ? EXIT_BLOCKED : 0,
    };
  } finally {
    await source.close();
  }
}

export function summariseScan(scan: ArchiveScan) {
  return { root: scan.root, totals: scan.totals, problems: scan.documents.filter((d) => d.status !== 'ok') };
}

export function formatReport(source: string, login: string, report: CheckReport, scan: ArchiveScan | null): string {
  const verdicts = new Map(judgeChecksAgainstPlan(report, null).findings.map((f) => [f.id, f]));
  const inPlan = [...verdicts.values()].filter((f) => f.planResolvable).length;
  const onsite = verdicts.size - inPlan;
  const failedWarn = report.results.filter((r) => !r.passed && r.severity === 'warn').length;
  const lines = [
    `Checks of ${source} (logged on as ${login}): ${verdicts.size} blocking` +
      `${inPlan ? ` (${inPlan} fixed in the plan)` : ''}, ${failedWarn} warnings`,
  ];
  for (const r of report.results) {
    const planFix = verdicts.get(r.id)?.planFix;
    const mark = r.passed ? 'ok   ' : planFix ? 'PLAN ' : r.severity === 'block' ? 'BLOCK' : 'WARN ';
    lines.push(`  ${mark} ${r.title} [${r.id}]`);
    if (!r.passed) {
      lines.push(indent(r.message, '          '));
      const fix = planFix
        ? `fixed in the plan: ${planFix} (omt-agent wizard, or plan.json); or onsite: ${r.fix}`
        : `fix: ${r.fix}`;
      lines.push(indent(fix, '          '));
    }
  }
  if (scan) lines.push(formatScanTotals(scan));
  lines.push(
    onsite
      ? `Migration is blocked until the BLOCK findings are fixed onsite${inPlan ? ' and the PLAN findings in the plan' : ''}.`
      : inPlan
        ? 'Nothing blocks onsite: fix the PLAN findings in the plan (omt-agent wizard, or plan init, edit, plan validate), then the migration can start.'
        : 'No blocking findings: the migration can start.',
  );
  return lines.join('\n');
}

export function formatScanTotals(scan: ArchiveScan): string {
  const parts = Object.entries(scan.totals)
    .filter(([status, t]) => status === 'ok' || t.documents > 0)
    .map(([status, t]) => `${t.documents} ${status}${t.bytes ? ` (${formatBytes(t.bytes)})` : ''}`);
  return `  Archive ${scan.root}: ${parts.join(', ')}`;
}
