import {
  PLAN_RESOLVABLE_CHECKS,
  isPlanResolvable,
  judgeChecksAgainstPlan,
  remainingFindingsError,
} from './check-resolution';
import type { CheckId, CheckReport, CheckResult } from './checks';
import type { MigrationPlan, PlanUser } from './plan';

const failed = (id: CheckId, subjects: string[], message = `${id} failed.`): CheckResult => ({
  id,
  severity: 'block',
  title: `${id} title`,
  passed: false,
  message,
  subjects,
  fix: `Fix ${id} onsite.`,
});

const report = (...results: CheckResult[]): CheckReport => ({
  results: [
    {
      id: 'version-supported',
      severity: 'block',
      title: 'Version',
      passed: true,
      message: 'ok',
      subjects: [],
      fix: '',
    },
    { ...failed('customizations', ['y_extra']), severity: 'warn' },
    ...results,
  ],
  blocked: results.length > 0,
});

const row = (associateId: number, login: string, plan: string | null, loginEmail: string | null): PlanUser => ({
  associateId,
  login,
  plan,
  loginEmail,
});

/** The sample's two problems as the migrator meets them: JD and MG share an address, no administrator has a plan. */
function startingPlan(): MigrationPlan {
  return {
    formatVersion: 1,
    users: [
      row(1, 'ADMIN', null, null),
      row(2, 'UA', null, null),
      row(3, 'JD', 'sales-t1', 'jd@nordlys.example'),
      row(6, 'MG', 'ten-marketing', 'JD@NORDLYS.EXAMPLE'),
      row(7, 'OP', 'ten-service', 'op@nordlys.example'),
    ],
    migrator: { name: 'Mia', email: 'mia@partner.example', phone: '+47 22 33 44 55' },
    sendWelcomeEmails: false,
  };
}

const duplicate = failed('user-email-duplicate', ['JD', 'MG'], "users 'JD' and 'MG' share jd@nordlys.example.");
const noAdminPlan = failed('admin-without-plan', ['ADMIN', 'UA']);
const user = (plan: MigrationPlan, login: string) => plan.users.find((u) => u.login === login)!;

describe('judgeChecksAgainstPlan', () => {
  it('names the checks the plan can resolve', () => {
    expect([...PLAN_RESOLVABLE_CHECKS].sort()).toEqual([
      'admin-without-plan',
      'user-email-duplicate',
      'user-email-invalid',
    ]);
  });

  it('passes a report without failed blocking findings, plan or not (warnings never block)', () => {
    expect(judgeChecksAgainstPlan(report(), null)).toEqual({ findings: [], remaining: [], blocked: false });
    expect(judgeChecksAgainstPlan(report(), startingPlan()).blocked).toBe(false);
  });

  it('without a plan, keeps plan-resolvable findings blocking and says what the plan step must do', () => {
    const judged = judgeChecksAgainstPlan(report(duplicate, noAdminPlan), null);
    expect(judged.blocked).toBe(true);
    expect(judged.remaining.map((f) => [f.id, f.planResolvable, f.resolved])).toEqual([
      ['user-email-duplicate', true, false],
      ['admin-without-plan', true, false],
    ]);
    expect(judged.remaining[0]!.message).toBe(
      "users 'JD' and 'MG' share jd@nordlys.example. Fixed in the plan: give users 'JD' and 'MG' login emails of their own in the login email step.",
    );
    expect(judged.remaining[0]!.planFix).toBe(
      "give users 'JD' and 'MG' login emails of their own in the login email step",
    );
    expect(judged.remaining[1]!.message).toContain(
      "Fixed in the plan: give one of the administrators 'ADMIN' or 'UA' a user plan in the user plan step.",
    );
  });

  it('keeps a starting plan that repeats the problems blocking, saying what is still wrong', () => {
    const judged = judgeChecksAgainstPlan(report(duplicate, noAdminPlan), startingPlan());
    expect(judged.remaining.map((f) => f.message)).toEqual([
      "User 'JD' and user 'MG' still share jd@nordlys.example.",
      "No administrator has a user plan in the plan: give one to 'ADMIN' or 'UA'.",
    ]);
  });

  it('resolves a shared address once the users have login emails of their own (or one of them no plan)', () => {
    const distinct = startingPlan();
    user(distinct, 'MG').loginEmail = 'mg@nordlys.example';
    expect(judgeChecksAgainstPlan(report(duplicate), distinct)).toMatchObject({
      blocked: false,
      findings: [{ id: 'user-email-duplicate', planResolvable: true, resolved: true, message: '' }],
    });

    const mgCannotLogIn = startingPlan();
    user(mgCannotLogIn, 'MG').plan = null;
    expect(judgeChecksAgainstPlan(report(duplicate), mgCannotLogIn).blocked).toBe(false);
  });

  it('compares login emails ignoring case and surrounding spaces, as validatePlan does', () => {
    const plan = startingPlan();
    user(plan, 'MG').loginEmail = '  Jd@Nordlys.Example ';
    expect(judgeChecksAgainstPlan(report(duplicate), plan).blocked).toBe(true);
  });

  it('resolves "no administrator has a plan" once one of the administrators has one, and only an administrator counts', () => {
    const plan = startingPlan();
    expect(judgeChecksAgainstPlan(report(noAdminPlan), plan).blocked).toBe(true);
    user(plan, 'UA').plan = 'ten-service';
    user(plan, 'UA').loginEmail = 'ua@nordlys.example';
    expect(judgeChecksAgainstPlan(report(noAdminPlan), plan)).toMatchObject({ blocked: false, remaining: [] });
  });

  it('matches the finding to plan rows by login, ignoring case, and names users the plan leaves out', () => {
    const plan = startingPlan();
    plan.users = plan.users.filter((u) => u.login !== 'MG');
    user(plan, 'JD').login = 'jd';
    const judged = judgeChecksAgainstPlan(report(duplicate), plan);
    expect(judged.remaining[0]!.message).toBe("User 'MG' is not in the plan.");
  });

  it('resolves users without a valid email by a valid login email or no plan', () => {
    const invalid = failed('user-email-invalid', ['OP', 'JD']);
    const plan = startingPlan();
    user(plan, 'OP').loginEmail = 'olga.petrova@';
    user(plan, 'JD').loginEmail = null;
    expect(judgeChecksAgainstPlan(report(invalid), plan).remaining[0]!.message).toBe(
      "User 'OP' has a user plan but no valid login email; user 'JD' has a user plan but no valid login email.",
    );
    user(plan, 'OP').loginEmail = 'olga.petrova@nordlys.example';
    user(plan, 'JD').plan = null;
    expect(judgeChecksAgainstPlan(report(invalid), plan).blocked).toBe(false);
  });

  it('leaves findings only onsite work fixes blocking whatever the plan, with their fix', () => {
    const travel = failed('users-on-travel', ['KY'], "'KY' is out on Travel.");
    // No administrator exists at all: no plan can give one a user plan.
    const noAdmin = failed('admin-without-plan', []);
    expect(isPlanResolvable(travel)).toBe(false);
    expect(isPlanResolvable(noAdmin)).toBe(false);
    expect(isPlanResolvable(duplicate)).toBe(true);
    const plan = startingPlan();
    user(plan, 'MG').loginEmail = 'mg@nordlys.example';
    const judged = judgeChecksAgainstPlan(report(travel, duplicate, noAdmin), plan);
    expect(judged.remaining).toEqual([
      {
        id: 'users-on-travel',
        title: 'users-on-travel title',
        planResolvable: false,
        resolved: false,
        message: "'KY' is out on Travel. Fix onsite: Fix users-on-travel onsite.",
        planFix: '',
      },
      expect.objectContaining({ id: 'admin-without-plan', planResolvable: false, resolved: false }),
    ]);
    expect(judged.findings.find((f) => f.id === 'user-email-duplicate')).toMatchObject({ resolved: true });
  });
});

describe('remainingFindingsError', () => {
  const travel = failed('users-on-travel', ['KY'], "'KY' is out on Travel.");

  it('is null when nothing remains', () => {
    expect(remainingFindingsError(judgeChecksAgainstPlan(report(), null))).toBeNull();
  });

  it('says CHECKS_BLOCKING while any finding must be fixed onsite, with one detail per remaining finding', () => {
    const error = remainingFindingsError(judgeChecksAgainstPlan(report(travel, duplicate), null))!;
    expect(error.toEnvelope()).toEqual({
      code: 'CHECKS_BLOCKING',
      message:
        '1 blocking check finding must be fixed onsite (users-on-travel title), and 1 more in the plan. Fix them in SuperOffice, then run the checks again.',
      details: [
        {
          path: 'users-on-travel',
          message: "users-on-travel title: 'KY' is out on Travel. Fix onsite: Fix users-on-travel onsite.",
        },
        { path: 'user-email-duplicate', message: expect.stringContaining('Fixed in the plan: give users') },
      ],
    });
  });

  it('says CHECKS_UNRESOLVED when only the plan must change', () => {
    const error = remainingFindingsError(judgeChecksAgainstPlan(report(duplicate, noAdminPlan), startingPlan()))!;
    expect(error.code).toBe('CHECKS_UNRESOLVED');
    expect(error.message).toBe(
      'The plan does not resolve 2 blocking check findings (user-email-duplicate title; admin-without-plan title): fix them in the user plan and login email steps of the wizard, or in the plan file.',
    );
    expect(error.details.map((d) => d.path)).toEqual(['user-email-duplicate', 'admin-without-plan']);
  });
});
