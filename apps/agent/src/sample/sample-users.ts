import { Prng } from './prng';
import { FIRST_ASCII, FIRST_NAMES, LAST_ASCII, LAST_NAMES } from './sample-names';
import { sampleVolumes, type SampleOptions, type SampleProblem } from './sample-options';

/**
 * The sample's CRM users. Every user that can log on has the password
 * SAMPLE_USER_PASSWORD except the General administrator SAMPLE_ADMIN_LOGIN,
 * whose password is SAMPLE_ADMIN_PASSWORD (scheme: logon/crm-password.ts).
 */
export const SAMPLE_ADMIN_LOGIN = 'ADMIN';
export const SAMPLE_ADMIN_PASSWORD = 'Admin#2026';
export const SAMPLE_USER_PASSWORD = 'Sample#2026';
/** A User administrator (right `admin-users`) who can log on too. */
export const SAMPLE_USER_ADMIN_LOGIN = 'UA';
/** An ordinary sales user: valid credentials, but no administrator right. */
export const SAMPLE_SALES_LOGIN = 'JD';

export const SAMPLE_EMAIL_DOMAIN = 'nordlys.example';

export type SampleRole = 'general-admin' | 'user-admin' | 'sales' | 'service';

export interface SampleUser {
  associateId: number;
  login: string;
  personId: number;
  firstname: string;
  lastname: string;
  /** associate.type: 0 employee, 1 resource, 13 system. */
  type: number;
  retired: boolean;
  role: SampleRole | null;
  /** ModuleLicense.moduleName of the user plan, or null. */
  plan: string | null;
  /** Single licences beside the plan (`user`, `web`, ...). */
  licences: string[];
  emails: string[];
  groupIdx: number;
  /** null for users without credentials (resources, the system user). */
  password: string | null;
}

interface UserSpec {
  login: string;
  first: number;
  last: number;
  role: SampleRole | null;
  plan: string | null;
  type?: number;
  retired?: boolean;
  group: number;
}

// Indexes into the name pools; the named users are the ones the tests and problems refer to.
const NAMED_USERS: UserSpec[] = [
  { login: SAMPLE_ADMIN_LOGIN, first: 0, last: 0, role: 'general-admin', plan: 'ten-sales', group: 3 },
  { login: SAMPLE_USER_ADMIN_LOGIN, first: 1, last: 2, role: 'user-admin', plan: 'ten-service', group: 3 },
  { login: SAMPLE_SALES_LOGIN, first: 5, last: 4, role: 'sales', plan: 'sales-t1', group: 1 },
  { login: 'KY', first: 16, last: 12, role: 'sales', plan: 'ten-sales', group: 1 },
  { login: 'OP', first: 14, last: 10, role: 'service', plan: 'ten-service', group: 2 },
  { login: 'MG', first: 13, last: 9, role: 'sales', plan: 'ten-marketing', group: 1 },
  { login: 'AH', first: 20, last: 16, role: 'sales', plan: 'ten-salesservicemarketing', group: 1 },
  { login: 'LN', first: 3, last: 3, role: 'sales', plan: null, retired: true, group: 4 },
  { login: 'TEMP', first: 29, last: 23, role: null, plan: null, group: 1 },
  { login: 'ROOM1', first: 0, last: 0, role: null, plan: null, type: 1, group: 3 },
  { login: 'SYSTEM', first: 0, last: 0, role: null, plan: null, type: 13, group: 3 },
];

const EXTRA_PLANS = ['sales-t1', 'ten-sales', 'ten-service', 'ten-marketing'];

export function sampleUsers(options: SampleOptions): SampleUser[] {
  const rng = new Prng(`${options.seed}:users`);
  const problems = new Set<SampleProblem>(options.problems);
  const specs = [...NAMED_USERS];
  for (let i = 1; i <= sampleVolumes(options).extraUsers; i++) {
    specs.push({
      login: `U${String(i).padStart(3, '0')}`,
      first: rng.int(0, FIRST_NAMES.length - 1),
      last: rng.int(0, LAST_NAMES.length - 1),
      role: rng.chance(0.7) ? 'sales' : 'service',
      plan: rng.pick(EXTRA_PLANS),
      group: rng.int(1, 2),
    });
  }
  const users = specs.map((spec, index): SampleUser => {
    const type = spec.type ?? 0;
    const isPerson = type === 0;
    const firstname = isPerson ? FIRST_NAMES[spec.first]! : spec.login === 'SYSTEM' ? 'System' : 'Meeting room';
    const lastname = isPerson ? LAST_NAMES[spec.last]! : '';
    const local = `${FIRST_ASCII[spec.first]}.${LAST_ASCII[spec.last]}${index >= NAMED_USERS.length ? `.${index}` : ''}`;
    const emails = isPerson && spec.login !== 'TEMP' ? [`${local}@${SAMPLE_EMAIL_DOMAIN}`] : [];
    if (emails.length > 0 && rng.chance(0.3)) emails.push(`${local}@mail.example`);
    return {
      associateId: index + 1,
      login: spec.login,
      personId: index + 1,
      firstname,
      lastname,
      type,
      retired: spec.retired ?? false,
      role: spec.role,
      plan: spec.plan,
      licences: spec.plan || (isPerson && !spec.retired && spec.role) ? ['user', 'web'] : [],
      emails,
      groupIdx: spec.group,
      password:
        type !== 0 ? null : spec.login === SAMPLE_ADMIN_LOGIN ? SAMPLE_ADMIN_PASSWORD : SAMPLE_USER_PASSWORD,
    };
  });
  applyUserProblems(users, problems);
  return users;
}

function applyUserProblems(users: SampleUser[], problems: Set<SampleProblem>): void {
  const byLogin = (login: string) => users.find((u) => u.login === login)!;
  if (problems.has('duplicate-emails')) {
    // Same address, different case: uniqueness ignores case.
    byLogin('MG').emails = [byLogin(SAMPLE_SALES_LOGIN).emails[0]!.toUpperCase()];
  }
  if (problems.has('invalid-emails')) byLogin('OP').emails = ['olga.petrova@'];
  if (problems.has('no-licensed-admin')) {
    for (const user of users) if (user.role === 'general-admin' || user.role === 'user-admin') user.plan = null;
  }
}
