import type { MigrationPlan, PlanUser } from '@omt/contracts';

export interface PlanGroup {
  /** moduleName of the user plan; null: these users cannot log in online. */
  plan: string | null;
  users: PlanUser[];
}

/** Users per plan, largest plan first, the users without a plan last (as the wizard's first column, but at the end). */
export function usersPerPlan(plan: MigrationPlan): PlanGroup[] {
  const groups = new Map<string | null, PlanUser[]>();
  for (const user of plan.users) {
    const users = groups.get(user.plan) ?? [];
    users.push(user);
    groups.set(user.plan, users);
  }
  return [...groups.entries()]
    .map(([name, users]) => ({ plan: name, users: [...users].sort((a, b) => a.login.localeCompare(b.login)) }))
    .sort((a, b) => {
      if (a.plan === null || b.plan === null) return a.plan === null ? 1 : -1;
      return b.users.length - a.users.length || a.plan.localeCompare(b.plan);
    });
}
