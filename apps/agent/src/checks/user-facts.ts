import { isValidLoginEmail } from '@omt/contracts';
import type { CatalogUser, CrmCatalog } from '../catalog/crm-catalog';

/** Rights that make a user an administrator who may run the migration. */
export const ADMIN_RIGHTS = ['admin-all', 'admin-users'] as const;

/** The one email rule of the plan (contracts), so the checks and the plan step never disagree. */
export const isValidEmail = isValidLoginEmail;

export function isActiveEmployee(user: CatalogUser): boolean {
  return user.type === 0 && !user.retired;
}

export function rightsOf(catalog: CrmCatalog, associateId: number): Set<string> {
  const roles = new Set(catalog.roleLinks.filter((l) => l.associateId === associateId).map((l) => l.roleId));
  return new Set(catalog.roleRights.filter((r) => roles.has(r.roleId)).map((r) => r.right.toLowerCase()));
}

export function isAdministrator(catalog: CrmCatalog, user: CatalogUser): boolean {
  const rights = rightsOf(catalog, user.associateId);
  return ADMIN_RIGHTS.some((r) => rights.has(r));
}

export function hasUserPlan(catalog: CrmCatalog, associateId: number): boolean {
  const plans = new Set(catalog.licences.filter((l) => l.isPlan).map((l) => l.id));
  return catalog.licenceLinks.some((l) => l.associateId === associateId && plans.has(l.licenceId));
}

/** Users who log on today: active employees holding any licence. They need a unique, valid login email online. */
export function usersWhoLogIn(catalog: CrmCatalog): CatalogUser[] {
  const licensed = new Set(catalog.licenceLinks.map((l) => l.associateId));
  return catalog.users.filter((u) => isActiveEmployee(u) && licensed.has(u.associateId));
}

/** The address a user would log in with: the online username if set, else the first address on the person card. */
export function loginEmailOf(catalog: CrmCatalog, user: CatalogUser): string | null {
  if (user.userName && user.userName.includes('@')) return user.userName.trim();
  const own = catalog.emails.filter((e) => e.personId === user.personId && user.personId !== 0 && e.address.trim() !== '');
  own.sort((a, b) => a.rank - b.rank);
  return own[0]?.address.trim() ?? null;
}
