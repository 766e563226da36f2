import {
  isValidLoginEmail,
  isValidPhone,
  migrationPlanSchema,
  planSubmissionSchema,
  validatePlan,
  type DirectoryUser,
  type MigrationPlan,
  type PlanIssueCode,
  type UserDirectory,
} from './plan';

const user = (associateId: number, login: string, more: Partial<DirectoryUser> = {}): DirectoryUser => ({
  associateId,
  login,
  name: `${login} person`,
  group: 'Sales',
  position: 'Employee',
  emails: [`${login.toLowerCase()}@example.com`],
  isAdministrator: false,
  currentPlan: 'ten-sales',
  ...more,
});

const directory: UserDirectory = {
  users: [user(1, 'au', { isAdministrator: true }), user(2, 'jd'), user(3, 'ky', { currentPlan: null })],
  plans: [
    { moduleName: 'ten-sales', description: 'Sales Premium', seats: 3 },
    { moduleName: 'sales-t1', description: 'Sales Essentials', seats: 1 },
    { moduleName: 'ten-service', description: 'Service Premium', seats: null },
  ],
};

/** A plan that passes every rule; each test breaks one thing. */
function validPlan(): MigrationPlan {
  return {
    formatVersion: 1,
    users: [
      { associateId: 1, login: 'au', plan: 'ten-sales', loginEmail: 'au@example.com' },
      { associateId: 2, login: 'jd', plan: 'ten-sales', loginEmail: 'jd@example.com' },
      { associateId: 3, login: 'ky', plan: null, loginEmail: null },
    ],
    migrator: { name: 'Mia Migrator', email: 'mia@partner.example', phone: '+47 22 33 44 55' },
    sendWelcomeEmails: true,
  };
}

const codes = (plan: MigrationPlan, dir = directory): PlanIssueCode[] => validatePlan(plan, dir).map((i) => i.code);
const only = (plan: MigrationPlan, dir = directory) => {
  const issues = validatePlan(plan, dir);
  expect(issues).toHaveLength(1);
  return issues[0]!;
};

describe('validatePlan', () => {
  it('accepts a plan that meets every rule', () => {
    expect(validatePlan(validPlan(), directory)).toEqual([]);
  });

  describe('at least one administrator has a plan', () => {
    it('flags a plan where the only administrator has no plan, naming the administrator', () => {
      const plan = validPlan();
      plan.users[0]!.plan = null;
      const issue = only(plan);
      expect(issue).toMatchObject({ code: 'no-administrator-with-plan', path: 'users' });
      expect(issue.message).toContain("'au'");
    });

    it('is met by any one administrator out of several', () => {
      const dir = { ...directory, users: directory.users.map((u) => (u.login === 'ky' ? { ...u, isAdministrator: true } : u)) };
      const plan = validPlan();
      plan.users[0]!.plan = null;
      plan.users[2] = { ...plan.users[2]!, plan: 'ten-service', loginEmail: 'ky@example.com' };
      expect(validatePlan(plan, dir)).toEqual([]);
    });

    it('names every administrator when none has a plan', () => {
      const dir = { ...directory, users: directory.users.map((u) => (u.login === 'jd' ? { ...u, isAdministrator: true } : u)) };
      const plan = validPlan();
      plan.users[0]!.plan = null;
      plan.users[1]!.plan = null;
      expect(only(plan, dir).message).toBe("no administrator has a user plan: give one to one of the administrators 'au' or 'jd'.");
    });

    it('says so when the directory has no administrator at all', () => {
      const dir = { ...directory, users: directory.users.map((u) => ({ ...u, isAdministrator: false })) };
      expect(only(validPlan(), dir).message).toMatch(/no user is an administrator/);
    });

    it('does not count an administrator whose plan is unknown', () => {
      const plan = validPlan();
      plan.users[0]!.plan = 'ten-nothing';
      expect(codes(plan).sort()).toEqual(['no-administrator-with-plan', 'plan-unknown']);
    });
  });

  describe('every user with a plan has a valid, unique login email', () => {
    it('flags a missing login email on a user with a plan', () => {
      for (const missing of [null, '', '   ']) {
        const plan = validPlan();
        plan.users[1]!.loginEmail = missing;
        expect(only(plan)).toEqual({
          code: 'login-email-missing',
          path: 'users.1.loginEmail',
          message: "user 'jd' has a user plan but no login email.",
        });
      }
    });

    it.each(['jd', 'jd@', '@example.com', 'jd@example', 'j d@example.com', 'jd@@example.com', 'jd@example..com', 'jd@.com'])(
      'flags the invalid address %j',
      (address) => {
        const plan = validPlan();
        plan.users[1]!.loginEmail = address;
        const issue = only(plan);
        expect(issue).toMatchObject({ code: 'login-email-invalid', path: 'users.1.loginEmail' });
        expect(issue.message).toContain("user 'jd'");
      },
    );

    it('flags two users sharing an address, ignoring case and spaces, on both rows, naming both', () => {
      const plan = validPlan();
      plan.users[0]!.loginEmail = ' JD@Example.com ';
      const issues = validatePlan(plan, directory);
      expect(issues).toEqual([
        { code: 'login-email-duplicate', path: 'users.0.loginEmail', message: "user 'au' and user 'jd' share jd@example.com." },
        { code: 'login-email-duplicate', path: 'users.1.loginEmail', message: "user 'au' and user 'jd' share jd@example.com." },
      ]);
    });

    it('names all three users sharing one address', () => {
      const plan = validPlan();
      plan.users[2] = { ...plan.users[2]!, plan: 'ten-service', loginEmail: 'jd@example.com' };
      plan.users[0]!.loginEmail = 'jd@example.com';
      const issues = validatePlan(plan, directory);
      expect(issues).toHaveLength(3);
      expect(issues[0]!.message).toBe("user 'au', user 'jd' and user 'ky' share jd@example.com.");
    });

    it('accepts a typed address that is on nobody’s card', () => {
      const plan = validPlan();
      plan.users[1]!.loginEmail = 'john.doe@new-domain.example';
      expect(validatePlan(plan, directory)).toEqual([]);
    });
  });

  describe('a user without a plan needs no email', () => {
    it('ignores a missing, invalid or shared address on a user without a plan', () => {
      for (const address of [null, '', 'not-an-email', 'jd@example.com']) {
        const plan = validPlan();
        plan.users[2]!.loginEmail = address;
        expect(validatePlan(plan, directory)).toEqual([]);
      }
    });
  });

  describe('no plan has more users than its licence seats', () => {
    it('flags a plan over its seats, naming the plan and its users', () => {
      const plan = validPlan();
      plan.users[1]!.plan = 'sales-t1';
      plan.users[2] = { ...plan.users[2]!, plan: 'sales-t1', loginEmail: 'ky@example.com' };
      expect(only(plan)).toEqual({
        code: 'plan-seats-exceeded',
        path: 'users',
        message: "Sales Essentials (sales-t1) has 1 seat but 2 users: 'jd' and 'ky'.",
      });
    });

    it('accepts a plan filled exactly to its seats', () => {
      const plan = validPlan();
      plan.users[2] = { ...plan.users[2]!, plan: 'ten-sales', loginEmail: 'ky@example.com' };
      expect(validatePlan(plan, directory)).toEqual([]);
    });

    it('never limits a plan whose seats are unknown', () => {
      const plan = validPlan();
      for (const u of plan.users) u.plan = 'ten-service';
      plan.users[2]!.loginEmail = 'ky@example.com';
      expect(validatePlan(plan, directory)).toEqual([]);
    });

    it('flags a plan with no seats at all', () => {
      const dir = { ...directory, plans: directory.plans.map((p) => (p.moduleName === 'sales-t1' ? { ...p, seats: 0 } : p)) };
      const plan = validPlan();
      plan.users[1]!.plan = 'sales-t1';
      expect(only(plan, dir).message).toBe("Sales Essentials (sales-t1) has 0 seats but 1 user: 'jd'.");
    });
  });

  describe('the plan covers the onsite users exactly', () => {
    it('flags a plan that the licence does not include', () => {
      const plan = validPlan();
      plan.users[1]!.plan = 'ten-marketing';
      expect(only(plan)).toEqual({
        code: 'plan-unknown',
        path: 'users.1.plan',
        message: "user 'jd' has plan 'ten-marketing', which the licence does not include.",
      });
    });

    it('flags a user who is not onsite, and a login that does not match the id', () => {
      const plan = validPlan();
      plan.users.push({ associateId: 99, login: 'zz', plan: null, loginEmail: null });
      expect(only(plan)).toMatchObject({ code: 'user-unknown', path: 'users.3', message: "user 'zz' (id 99) is not a user of the onsite database." });
      const renamed = validPlan();
      renamed.users[2]!.login = 'kk';
      expect(only(renamed).message).toBe("user 3 is 'ky' onsite, not 'kk'.");
    });

    it('matches logins ignoring case', () => {
      const plan = validPlan();
      plan.users[1]!.login = 'JD';
      expect(validatePlan(plan, directory)).toEqual([]);
    });

    it('flags a user listed twice', () => {
      const plan = validPlan();
      plan.users.push({ ...plan.users[2]! });
      expect(only(plan)).toEqual({ code: 'user-listed-twice', path: 'users.3', message: "user 'ky' is listed more than once." });
    });

    it('flags an onsite user the plan leaves out', () => {
      const plan = validPlan();
      plan.users.pop();
      expect(only(plan)).toMatchObject({ code: 'user-missing', path: 'users' });
      expect(only(plan).message).toContain("'ky'");
    });
  });

  describe('the migrator contact', () => {
    it.each([
      ['name', '  ', 'migrator-name-missing'],
      ['email', '', 'migrator-email-invalid'],
      ['email', 'mia@', 'migrator-email-invalid'],
      ['phone', '', 'migrator-phone-invalid'],
      ['phone', 'call me', 'migrator-phone-invalid'],
      ['phone', '12-3', 'migrator-phone-invalid'],
    ] as const)('flags %s %j', (field, value, code) => {
      const plan = validPlan();
      plan.migrator[field] = value;
      expect(only(plan)).toMatchObject({ code, path: `migrator.${field}` });
    });
  });

  it('reports every broken rule at once', () => {
    const plan = validPlan();
    plan.users[0]!.plan = null;
    plan.users[1]!.loginEmail = 'nope';
    plan.migrator = { name: '', email: '', phone: '' };
    expect(codes(plan)).toEqual([
      'no-administrator-with-plan',
      'login-email-invalid',
      'migrator-name-missing',
      'migrator-email-invalid',
      'migrator-phone-invalid',
    ]);
  });
});

describe('plan helpers and schemas', () => {
  it('validates emails plainly', () => {
    expect(isValidLoginEmail('a.b-c+d@sub.example.co')).toBe(true);
    expect(isValidLoginEmail(' a@b.no ')).toBe(true);
    expect(isValidLoginEmail(`${'a'.repeat(250)}@b.no`)).toBe(false);
  });

  it('validates phone numbers', () => {
    expect(isValidPhone('+47 (22) 33-44.55')).toBe(true);
    expect(isValidPhone('2233')).toBe(false);
  });

  it('parses a plan file and rejects a wrong format version or shape', () => {
    expect(migrationPlanSchema.parse(validPlan())).toEqual(validPlan());
    expect(migrationPlanSchema.safeParse({ ...validPlan(), formatVersion: 2 }).success).toBe(false);
    expect(migrationPlanSchema.safeParse({ ...validPlan(), users: [{ associateId: 1, login: 'au', plan: '', loginEmail: null }] }).success).toBe(false);
    expect(planSubmissionSchema.parse({ plan: validPlan(), directory })).toEqual({ plan: validPlan(), directory });
  });
});
