import type { CheckId, CheckReport, CheckResult } from './checks';
import { OmtError } from './errors';
import { isValidLoginEmail, sharedLoginEmails, type MigrationPlan, type PlanUser } from './plan';
import { joinNames, quoteList } from './name-list';

/**
 * Which blocking check findings the migration plan resolves, and whether a
 * given plan does. The agent's checks look at the onsite database as it is
 * (the login email a user has today, the plans administrators hold today);
 * online, the plan decides both. So a finding about login emails or about
 * administrators without a plan is fixed in the user plan and login email
 * steps as well as onsite, while every other blocking finding (version,
 * Travel, satellites, old preferences) needs work onsite.
 *
 * One rule set for the wizard, the CLI (`check`, `migrate`) and the API
 * (checks report, plan, upload start), so they never disagree. It judges a
 * finding by its subjects (the users' login ids the check names) against
 * the plan's rows; validatePlan still holds every rule of the plan itself.
 */

interface Resolution {
  /** What the plan step does about it, in a clause: "give users 'JD' and 'MG' login emails of their own". */
  todo(subjects: readonly string[]): string;
  /** What the plan still leaves of the finding; null when it resolves it. */
  left(rows: SubjectRows): string | null;
  /** False when nothing in a plan can fix this finding (an administrator check that found no administrator at all). */
  possible?(result: CheckResult): boolean;
}

interface SubjectRows {
  /** The finding's users (login ids), as the check named them. */
  subjects: readonly string[];
  /** The plan rows of the finding's users, in the finding's order. */
  rows: PlanUser[];
  /** The finding's users the plan does not list. */
  missing: string[];
}

const RESOLUTIONS = {
  'user-email-duplicate': {
    todo: (subjects) => `give users ${quoteList(subjects)} login emails of their own in the login email step`,
    left: ({ rows, missing }) => {
      const shared = sharedLoginEmails(rows).map(
        ({ address, holders }) => `${joinNames(holders.map((h) => `user '${h.login}'`))} still share ${address}`,
      );
      return sentence([...shared, ...notInPlan(missing)]);
    },
  },
  'user-email-invalid': {
    todo: (subjects) =>
      `give ${subjects.length === 1 ? 'user' : 'users'} ${quoteList(subjects)} a valid login email in the login email step (or no plan)`,
    left: ({ rows, missing }) => {
      const invalid = rows.filter((r) => r.plan !== null && !isValidLoginEmail(r.loginEmail ?? ''));
      return sentence([
        ...invalid.map((r) => `user '${r.login}' has a user plan but no valid login email`),
        ...notInPlan(missing),
      ]);
    },
  },
  'admin-without-plan': {
    todo: (subjects) =>
      `give ${subjects.length === 1 ? 'administrator' : 'one of the administrators'} ${quoteList(subjects, ' or ')} a user plan in the user plan step`,
    left: ({ rows, subjects }) =>
      rows.some((r) => r.plan !== null)
        ? null
        : `no administrator has a user plan in the plan: give one to ${quoteList(subjects, ' or ')}.`,
    // Without any administrator onsite, no plan can make one: that is fixed in SuperOffice Admin.
    possible: (result) => result.subjects.length > 0,
  },
} as const satisfies Partial<Record<CheckId, Resolution>>;

/** The checks whose blocking finding the plan can resolve. */
export const PLAN_RESOLVABLE_CHECKS = Object.keys(RESOLUTIONS) as ReadonlyArray<keyof typeof RESOLUTIONS>;

function resolutionOf(result: CheckResult): Resolution | null {
  const resolution: Resolution | undefined = (RESOLUTIONS as Partial<Record<CheckId, Resolution>>)[result.id];
  return resolution && (resolution.possible?.(result) ?? true) ? resolution : null;
}

/** True when this (failed, blocking) finding is fixed in the plan steps rather than onsite. */
export function isPlanResolvable(result: CheckResult): boolean {
  return resolutionOf(result) !== null;
}

export interface FindingVerdict {
  id: CheckId;
  title: string;
  /** Fixed in the user plan and login email steps (wizard or plan file); false: only work onsite fixes it. */
  planResolvable: boolean;
  /** The plan judged resolves it (always false for a finding fixed onsite, or without a plan). */
  resolved: boolean;
  /** What is left to do, a sentence a person can act on; empty when resolved. */
  message: string;
  /** What the plan step does about it ("give users 'JD' and 'MG' login emails of their own in the login email step"); empty when only onsite work fixes it. */
  planFix: string;
}

export interface ChecksJudgement {
  /** Every failed blocking finding of the report, in the report's order. */
  findings: FindingVerdict[];
  /** The findings that still stop the upload: fixed onsite, or not (yet) resolved by the plan. */
  remaining: FindingVerdict[];
  /** True while any finding remains: the upload cannot start. */
  blocked: boolean;
}

/**
 * Judges a check report against a plan (null: none chosen yet). A blocking
 * finding the plan can resolve stops the upload until the plan resolves it;
 * any other blocking finding stops it until it is fixed onsite and the
 * checks run again.
 */
export function judgeChecksAgainstPlan(report: CheckReport, plan: MigrationPlan | null): ChecksJudgement {
  const findings = report.results
    .filter((r) => r.severity === 'block' && !r.passed)
    .map((result): FindingVerdict => {
      const resolution = resolutionOf(result);
      const base = { id: result.id, title: result.title, planFix: resolution?.todo(result.subjects) ?? '' };
      if (!resolution) {
        return {
          ...base,
          planResolvable: false,
          resolved: false,
          message: `${result.message} Fix onsite: ${result.fix}`,
        };
      }
      if (!plan) {
        return {
          ...base,
          planResolvable: true,
          resolved: false,
          message: `${result.message} Fixed in the plan: ${base.planFix}.`,
        };
      }
      const left = resolution.left(subjectRows(plan, result.subjects));
      return { ...base, planResolvable: true, resolved: left === null, message: left === null ? '' : capitalise(left) };
    });
  const remaining = findings.filter((f) => !f.resolved);
  return { findings, remaining, blocked: remaining.length > 0 };
}

/**
 * The error that refuses to go on while findings remain, one detail per
 * finding (path: the check id): CHECKS_BLOCKING when any must be fixed
 * onsite, else CHECKS_UNRESOLVED (the plan must change). Null when nothing
 * remains.
 */
export function remainingFindingsError(judgement: ChecksJudgement): OmtError | null {
  const { remaining } = judgement;
  if (remaining.length === 0) return null;
  const details = remaining.map((f) => ({ path: f.id, message: `${f.title}: ${f.message}` }));
  const onsite = remaining.filter((f) => !f.planResolvable);
  const inPlan = remaining.length - onsite.length;
  if (onsite.length > 0) {
    return new OmtError(
      'CHECKS_BLOCKING',
      `${count(onsite.length, 'blocking check finding')} must be fixed onsite (${onsite.map((f) => f.title).join('; ')})` +
        `${inPlan > 0 ? `, and ${inPlan} more in the plan` : ''}. Fix them in SuperOffice, then run the checks again.`,
      details,
    );
  }
  return new OmtError(
    'CHECKS_UNRESOLVED',
    `The plan does not resolve ${count(inPlan, 'blocking check finding')} (${remaining.map((f) => f.title).join('; ')}): ` +
      'fix them in the user plan and login email steps of the wizard, or in the plan file.',
    details,
  );
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function subjectRows(plan: MigrationPlan, subjects: readonly string[]): SubjectRows {
  const byLogin = new Map(plan.users.map((u) => [u.login.toLowerCase(), u]));
  const rows: PlanUser[] = [];
  const missing: string[] = [];
  for (const login of subjects) {
    const row = byLogin.get(login.toLowerCase());
    if (row) rows.push(row);
    else missing.push(login);
  }
  return { subjects, rows, missing };
}

function notInPlan(missing: readonly string[]): string[] {
  return missing.length === 0
    ? []
    : [
        `${missing.length === 1 ? 'user' : 'users'} ${quoteList(missing)} ${missing.length === 1 ? 'is' : 'are'} not in the plan`,
      ];
}

/** Clauses joined into one sentence; null when there are none (nothing left). */
function sentence(clauses: readonly string[]): string | null {
  return clauses.length === 0 ? null : `${clauses.join('; ')}.`;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
