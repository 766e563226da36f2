import type { DirectoryUser, UserDirectory } from '@omt/contracts';
import { readCrmCatalog, type CrmCatalog } from '../catalog/crm-catalog';
import { isActiveEmployee, isAdministrator, isValidEmail } from '../checks/user-facts';
import type { SourceConnector } from '../source/source-connector';
import { findTable } from '../source/table-schema';

/**
 * What the plan step needs beyond the catalog the checks read: the person's
 * name and position, the user's group, and each licence's seats. Read
 * tolerantly like the catalog: a missing table or column reads as empty.
 */
export interface DirectoryExtras {
  persons: Array<{ personId: number; firstname: string; middleName: string; lastname: string; title: string }>;
  userGroups: Array<{ associateId: number; groupId: number }>;
  groups: Array<{ id: number; name: string }>;
  seats: Array<{ licenceId: number; seats: number | null }>;
}

export interface PlanSource {
  catalog: CrmCatalog;
  directory: UserDirectory;
}

/** Reads the catalog (the same queries as the checks) and the few extras, and builds the directory. */
export async function readPlanSource(source: SourceConnector, catalog?: CrmCatalog): Promise<PlanSource> {
  const tables = catalog?.tables ?? (await source.introspect());
  const crm = catalog ?? (await readCrmCatalog(source, tables));
  const personIds = crm.users.filter(isActiveEmployee).map((u) => u.personId);
  const extras = await readDirectoryExtras(source, tables, personIds);
  return { catalog: crm, directory: buildUserDirectory(crm, extras) };
}

export async function readDirectoryExtras(
  source: SourceConnector,
  tables: Awaited<ReturnType<SourceConnector['introspect']>>,
  personIds: readonly number[],
): Promise<DirectoryExtras> {
  const read = async (tableName: string, columns: string[], where?: { column: string; value: number }) => {
    const table = findTable(tables, tableName);
    if (!table) return [];
    const actual = columns.map((c) => findTable(table.columns, c)?.name);
    const present = actual.filter((c): c is string => c !== undefined);
    if (present.length === 0) return [];
    const whereColumn = where && findTable(table.columns, where.column)?.name;
    if (where && !whereColumn) return [];
    const rows = await source.selectRows({
      table: table.name,
      columns: present,
      ...(where ? { where: { column: whereColumn!, op: '=' as const, value: where.value } } : {}),
    });
    return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, actual[i] === undefined ? null : row[actual[i]!]])));
  };
  // One small read per user rather than the whole person table, which holds every customer contact too.
  const persons: Array<Record<string, unknown>> = [];
  for (let i = 0; i < personIds.length; i += 8) {
    const chunk = personIds.slice(i, i + 8).filter((id) => id !== 0);
    const rows = await Promise.all(
      chunk.map((id) => read('person', ['person_id', 'firstname', 'middleName', 'lastname', 'title'], { column: 'person_id', value: id })),
    );
    persons.push(...rows.flat());
  }
  const [associates, groups, licences] = await Promise.all([
    read('associate', ['associate_id', 'group_idx']),
    read('UserGroup', ['UserGroup_id', 'name']),
    read('ModuleLicense', ['ModuleLicense_id', 'licenseNumber']),
  ]);
  return {
    persons: persons.map((r) => ({
      personId: num(r.person_id),
      firstname: str(r.firstname),
      middleName: str(r.middleName),
      lastname: str(r.lastname),
      title: str(r.title),
    })),
    userGroups: associates.map((r) => ({ associateId: num(r.associate_id), groupId: num(r.group_idx) })),
    groups: groups.map((r) => ({ id: num(r.UserGroup_id), name: str(r.name) })),
    seats: licences.map((r) => ({ licenceId: num(r.ModuleLicense_id), seats: r.licenseNumber == null ? null : num(r.licenseNumber) })),
  };
}

/**
 * The users who could log in online: active employees (resources, the system
 * user and retired users never do). Their addresses in rank order; an
 * email-style online username set onsite comes first, as it is the address
 * the user logs in with today (the same choice as the checks' loginEmailOf).
 */
export function buildUserDirectory(catalog: CrmCatalog, extras: DirectoryExtras): UserDirectory {
  const persons = new Map(extras.persons.map((p) => [p.personId, p]));
  const groupOf = new Map(extras.userGroups.map((g) => [g.associateId, g.groupId]));
  const groupNames = new Map(extras.groups.map((g) => [g.id, g.name]));
  const seats = new Map(extras.seats.map((s) => [s.licenceId, s.seats]));
  const planLicences = catalog.licences.filter((l) => l.isPlan).sort((a, b) => a.id - b.id);
  const planById = new Map(planLicences.map((l) => [l.id, l.moduleName]));

  const users = catalog.users
    .filter(isActiveEmployee)
    .sort((a, b) => a.associateId - b.associateId)
    .map((user): DirectoryUser => {
      const person = persons.get(user.personId);
      const name = person ? [person.firstname, person.middleName, person.lastname].map((s) => s.trim()).filter(Boolean).join(' ') : '';
      const emails = catalog.emails
        .filter((e) => user.personId !== 0 && e.personId === user.personId && e.address.trim() !== '')
        .sort((a, b) => a.rank - b.rank)
        .map((e) => e.address.trim());
      const userName = user.userName?.trim();
      if (userName && isValidEmail(userName) && !emails.some((e) => e.toLowerCase() === userName.toLowerCase())) emails.unshift(userName);
      const currentPlan =
        catalog.licenceLinks
          .filter((l) => l.associateId === user.associateId && planById.has(l.licenceId))
          .map((l) => l.licenceId)
          .sort((a, b) => a - b)
          .map((id) => planById.get(id)!)[0] ?? null;
      const groupId = groupOf.get(user.associateId);
      return {
        associateId: user.associateId,
        login: user.login,
        name: name || user.login,
        group: groupId === undefined ? null : (groupNames.get(groupId) ?? null),
        position: person?.title.trim() || null,
        emails: [...new Set(emails)],
        isAdministrator: isAdministrator(catalog, user),
        currentPlan,
      };
    });
  const plans = planLicences.map((l) => ({
    moduleName: l.moduleName,
    description: l.description || l.moduleName,
    seats: seats.get(l.id) ?? null,
  }));
  return { users, plans };
}

function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === null || value === undefined || value === '') return 0;
  return Number(value);
}

function str(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}
