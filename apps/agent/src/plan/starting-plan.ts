import { PLAN_FORMAT_VERSION, type MigrationPlan, type MigratorContact, type UserDirectory } from '@omt/contracts';

export const EMPTY_CONTACT: MigratorContact = { name: '', email: '', phone: '' };

/**
 * The plan to start editing from: every user keeps the plan they hold onsite
 * and logs in with their first address; users without a plan get none (they
 * need no email). Welcome emails are off until the migrator turns them on, so
 * nobody is mailed by a test migration.
 */
export function startingPlan(directory: UserDirectory, migrator: MigratorContact = EMPTY_CONTACT): MigrationPlan {
  const offered = new Set(directory.plans.map((p) => p.moduleName));
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    users: directory.users.map((u) => {
      const plan = u.currentPlan !== null && offered.has(u.currentPlan) ? u.currentPlan : null;
      return { associateId: u.associateId, login: u.login, plan, loginEmail: plan === null ? null : (u.emails[0] ?? null) };
    }),
    migrator: { ...migrator },
    sendWelcomeEmails: false,
  };
}

export interface PlanSummary {
  users: number;
  withPlan: number;
  /** Per plan offered, in the directory's order, then "no plan". */
  perPlan: Array<{ moduleName: string | null; description: string; seats: number | null; users: number }>;
}

export function summarisePlan(plan: MigrationPlan, directory: UserDirectory): PlanSummary {
  const count = (moduleName: string | null) => plan.users.filter((u) => u.plan === moduleName).length;
  return {
    users: plan.users.length,
    withPlan: plan.users.filter((u) => u.plan !== null).length,
    perPlan: [
      ...directory.plans.map((p) => ({ moduleName: p.moduleName, description: p.description, seats: p.seats, users: count(p.moduleName) })),
      { moduleName: null, description: 'No plan: cannot log in', seats: null, users: count(null) },
    ],
  };
}
