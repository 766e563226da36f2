import { z } from 'zod';
import { joinNames, quoteList } from './name-list';

/**
 * The migration plan: who gets which user plan online, which email each of
 * them logs in with, who the migrator is, and whether CRM Online sends welcome
 * emails. The agent builds it (wizard or plan file), the API validates it again
 * against the same directory and stores it with the ticket.
 *
 * The schemas accept a plan that is still being edited (an empty phone, a
 * half-typed address); `validatePlan` holds the rules, so the wizard, the
 * headless flow and the API flag exactly the same problems.
 */

export const PLAN_FORMAT_VERSION = 1 as const;

// ---------------------------------------------------------------------------
// The onsite user directory: what the plan is checked against.

export const directoryUserSchema = z.object({
  /** associate.associate_id onsite. */
  associateId: z.number().int().positive(),
  /** associate.name, the onsite login id ("au"). */
  login: z.string().min(1),
  /** The person's full name. */
  name: z.string(),
  /** UserGroup.name of the user's primary group; null when none. */
  group: z.string().nullable(),
  /** person.title: the user's position. */
  position: z.string().nullable(),
  /** The person card's addresses, in rank order. */
  emails: z.array(z.string()),
  /** Holds admin-all (General) or admin-users (User administrator). */
  isAdministrator: z.boolean(),
  /** moduleName of the user plan held onsite today; null when none. */
  currentPlan: z.string().nullable(),
});
export type DirectoryUser = z.infer<typeof directoryUserSchema>;

export const userPlanOptionSchema = z.object({
  /** ModuleLicense.moduleName, e.g. `ten-sales`. */
  moduleName: z.string().min(1),
  /** ModuleLicense.moduleDescription, e.g. "Sales Premium". */
  description: z.string(),
  /** Licence seats (ModuleLicense.licenseNumber); null when not limited. */
  seats: z.number().int().nonnegative().nullable(),
});
export type UserPlanOption = z.infer<typeof userPlanOptionSchema>;

export const userDirectorySchema = z.object({
  users: z.array(directoryUserSchema),
  plans: z.array(userPlanOptionSchema),
});
export type UserDirectory = z.infer<typeof userDirectorySchema>;

// ---------------------------------------------------------------------------
// The plan itself.

export const planUserSchema = z.object({
  associateId: z.number().int().positive(),
  login: z.string().min(1),
  /** moduleName of the user plan online; null: the user cannot log in. */
  plan: z.string().min(1).nullable(),
  /** The online username; only needed (and only checked) when `plan` is set. */
  loginEmail: z.string().nullable(),
});
export type PlanUser = z.infer<typeof planUserSchema>;

export const migratorContactSchema = z.object({
  name: z.string(),
  email: z.string(),
  phone: z.string(),
});
export type MigratorContact = z.infer<typeof migratorContactSchema>;

export const migrationPlanSchema = z.object({
  formatVersion: z.literal(PLAN_FORMAT_VERSION),
  users: z.array(planUserSchema),
  migrator: migratorContactSchema,
  sendWelcomeEmails: z.boolean(),
});
export type MigrationPlan = z.infer<typeof migrationPlanSchema>;

/** What the agent sends: the API needs the directory to validate the plan again. */
export const planSubmissionSchema = z.object({
  plan: migrationPlanSchema,
  directory: userDirectorySchema,
}).meta({
  description: "The migrator's plan (user plans, login emails, contact) and the source's user directory it refers to.",
});
export type PlanSubmission = z.infer<typeof planSubmissionSchema>;

// ---------------------------------------------------------------------------
// The rules.

export const PLAN_ISSUE_CODES = [
  'user-unknown',
  'user-listed-twice',
  'user-missing',
  'plan-unknown',
  'plan-seats-exceeded',
  'no-administrator-with-plan',
  'login-email-missing',
  'login-email-invalid',
  'login-email-duplicate',
  'migrator-name-missing',
  'migrator-email-invalid',
  'migrator-phone-invalid',
] as const;
export const planIssueCodeSchema = z.enum(PLAN_ISSUE_CODES);
export type PlanIssueCode = z.infer<typeof planIssueCodeSchema>;

export const planIssueSchema = z.object({
  code: planIssueCodeSchema,
  /** Dotted path into the plan: `users.3.loginEmail`, `migrator.phone`; `users` for the plan as a whole. */
  path: z.string(),
  /** Names the users involved: "user 'au' and user 'jd' share jd@example.com". */
  message: z.string(),
});
export type PlanIssue = z.infer<typeof planIssueSchema>;

/**
 * Deliberately plain: one `@`, no spaces, a dot in the domain. Online
 * usernames must pass it. Compared ignoring case and surrounding spaces.
 */
export function isValidLoginEmail(address: string): boolean {
  return /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(address.trim()) && address.trim().length <= 254;
}

export function normaliseEmail(address: string): string {
  return address.trim().toLowerCase();
}

/** Digits with the usual separators and an optional leading +; at least 5 digits. */
export function isValidPhone(phone: string): boolean {
  const text = phone.trim();
  return /^\+?[0-9 ()./-]+$/.test(text) && (text.match(/[0-9]/g)?.length ?? 0) >= 5;
}

/** The issues that belong to the contact step (the rest belong to plans and emails). */
export const isMigratorIssue = (issue: PlanIssue) => issue.path.startsWith('migrator');

/**
 * Every rule the plan must meet before it is sent, checked against the onsite
 * directory. Pure: the agent (wizard and headless) and the API call this one
 * function. Returns no issues when the plan can be submitted.
 */
export function validatePlan(plan: MigrationPlan, directory: UserDirectory): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const issue = (code: PlanIssueCode, path: string, message: string) => issues.push({ code, path, message });
  const known = new Map(directory.users.map((u) => [u.associateId, u]));
  const plans = new Map(directory.plans.map((p) => [p.moduleName, p]));
  const planName = (moduleName: string) => {
    const description = plans.get(moduleName)?.description;
    return description ? `${description} (${moduleName})` : moduleName;
  };

  // Which user each row is, and that every onsite user is decided once.
  const seen = new Set<number>();
  const rows: Array<{ index: number; user: PlanUser; who: DirectoryUser }> = [];
  plan.users.forEach((user, index) => {
    const who = known.get(user.associateId);
    if (!who || who.login.toLowerCase() !== user.login.toLowerCase()) {
      issue(
        'user-unknown',
        `users.${index}`,
        who
          ? `user ${user.associateId} is '${who.login}' onsite, not '${user.login}'.`
          : `user '${user.login}' (id ${user.associateId}) is not a user of the onsite database.`,
      );
      return;
    }
    if (seen.has(user.associateId)) {
      issue('user-listed-twice', `users.${index}`, `user '${who.login}' is listed more than once.`);
      return;
    }
    seen.add(user.associateId);
    rows.push({ index, user, who });
  });
  for (const who of directory.users) {
    if (!seen.has(who.associateId) && !plan.users.some((u) => u.associateId === who.associateId)) {
      issue('user-missing', 'users', `user '${who.login}' is not in the plan: give them a plan or "no plan".`);
    }
  }

  // Plans exist and have seats.
  const byPlan = new Map<string, string[]>();
  for (const { index, user, who } of rows) {
    if (user.plan === null) continue;
    if (!plans.has(user.plan)) {
      issue('plan-unknown', `users.${index}.plan`, `user '${who.login}' has plan '${user.plan}', which the licence does not include.`);
      continue;
    }
    byPlan.set(user.plan, [...(byPlan.get(user.plan) ?? []), who.login]);
  }
  for (const [moduleName, logins] of byPlan) {
    const seats = plans.get(moduleName)!.seats;
    if (seats !== null && logins.length > seats) {
      issue(
        'plan-seats-exceeded',
        'users',
        `${planName(moduleName)} has ${seats} ${seats === 1 ? 'seat' : 'seats'} but ${logins.length} ${logins.length === 1 ? 'user' : 'users'}: ${quoteList(logins)}.`,
      );
    }
  }

  // At least one administrator can log in.
  if (!rows.some(({ user, who }) => who.isAdministrator && user.plan !== null && plans.has(user.plan))) {
    const admins = directory.users.filter((u) => u.isAdministrator).map((u) => u.login);
    issue(
      'no-administrator-with-plan',
      'users',
      admins.length === 0
        ? 'no user is an administrator, so nobody could administer the tenant.'
        : `no administrator has a user plan: give one to ${admins.length === 1 ? 'administrator' : 'one of the administrators'} ${quoteList(admins, ' or ')}.`,
    );
  }

  // Login emails: only users with a plan log in, so only they need one.
  for (const { index, user, who } of rows) {
    if (user.plan === null) continue;
    const address = (user.loginEmail ?? '').trim();
    if (address === '') {
      issue('login-email-missing', `users.${index}.loginEmail`, `user '${who.login}' has a user plan but no login email.`);
    } else if (!isValidLoginEmail(address)) {
      issue('login-email-invalid', `users.${index}.loginEmail`, `user '${who.login}' has an invalid login email: "${address}".`);
    }
  }
  for (const { address, holders } of sharedLoginEmails(rows.map((r) => ({ ...r.user, login: r.who.login, index: r.index })))) {
    const message = `${joinNames(holders.map((h) => `user '${h.login}'`))} share ${address}.`;
    for (const h of holders) issue('login-email-duplicate', `users.${h.index}.loginEmail`, message);
  }

  // The migrator, whom online operations and the customer can reach.
  if (plan.migrator.name.trim() === '') issue('migrator-name-missing', 'migrator.name', "the migrator's name is missing.");
  if (!isValidLoginEmail(plan.migrator.email)) {
    issue(
      'migrator-email-invalid',
      'migrator.email',
      plan.migrator.email.trim() === '' ? "the migrator's email is missing." : `the migrator's email "${plan.migrator.email.trim()}" is not valid.`,
    );
  }
  if (!isValidPhone(plan.migrator.phone)) {
    issue(
      'migrator-phone-invalid',
      'migrator.phone',
      plan.migrator.phone.trim() === ''
        ? "the migrator's phone number is missing."
        : `the migrator's phone number "${plan.migrator.phone.trim()}" is not valid (digits, spaces, + ( ) - . /; at least 5 digits).`,
    );
  }
  return issues;
}

/**
 * The login emails two or more users would share (compared ignoring case),
 * each with its holders in plan order. Only users with a plan and a valid
 * address count: the others do not log in, or are flagged as invalid.
 * validatePlan and the check findings' resolution (check-resolution.ts) both
 * judge sharing with this one rule.
 */
export function sharedLoginEmails<T extends Pick<PlanUser, 'plan' | 'loginEmail'>>(
  users: readonly T[],
): Array<{ address: string; holders: T[] }> {
  const byEmail = new Map<string, T[]>();
  for (const user of users) {
    const address = (user.loginEmail ?? '').trim();
    if (user.plan === null || !isValidLoginEmail(address)) continue;
    const key = normaliseEmail(address);
    byEmail.set(key, [...(byEmail.get(key) ?? []), user]);
  }
  return [...byEmail].filter(([, holders]) => holders.length > 1).map(([address, holders]) => ({ address, holders }));
}
