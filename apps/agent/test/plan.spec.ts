import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrationPlanSchema, validatePlan, type MigrationPlan } from '@omt/contracts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases';
import { buildProgram } from '../src/main';
import { startingPlan } from '../src/plan/starting-plan';
import { readPlanSource, type PlanSource } from '../src/plan/user-directory';
import { createSampleDatabase } from '../src/sample/sample-db';
import type { SampleProblem } from '../src/sample/sample-options';
import { SAMPLE_ADMIN_LOGIN, SAMPLE_SALES_LOGIN, SAMPLE_USER_ADMIN_LOGIN } from '../src/sample/sample-users';
import { PostgresSource } from '../src/source/postgres-source';

let db: TestDatabase;
let dir: string;
const contact = { name: 'Mia Migrator', email: 'mia@partner.example', phone: '+47 22 33 44 55' };

beforeAll(async () => {
  db = await createTestDatabase('plan');
  dir = await mkdtemp(join(tmpdir(), 'omt-plan-'));
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function sampleWith(label: string, problems: SampleProblem[]): Promise<PlanSource & { url: string }> {
  const schema = `crm7_${label.replace(/-/g, '_')}`;
  await createSampleDatabase({ target: db.url, archive: join(dir, label), seed: 7, size: 'small', problems, schema });
  const source = new PostgresSource(db.url, schema);
  try {
    return { ...(await readPlanSource(source)), url: `${db.url}?schema=${schema}` };
  } finally {
    await source.close();
  }
}

async function agent(args: string[]) {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const program = buildProgram({ stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, (c) => void (code = c));
  await program.parseAsync(['node', 'omt-agent', ...args]);
  return { stdout, stderr, code };
}

describe('the user directory and the starting plan', () => {
  let clean: Awaited<ReturnType<typeof sampleWith>>;
  beforeAll(async () => {
    clean = await sampleWith('clean', []);
  });

  it('lists the active employees only, with name, group, position, emails, administrator and current plan', () => {
    const logins = clean.directory.users.map((u) => u.login);
    expect(logins).toEqual(expect.arrayContaining([SAMPLE_ADMIN_LOGIN, SAMPLE_USER_ADMIN_LOGIN, SAMPLE_SALES_LOGIN, 'TEMP']));
    // retired, resource and system users never log in online
    expect(logins.filter((l) => ['LN', 'ROOM1', 'SYSTEM'].includes(l))).toEqual([]);

    const admin = clean.directory.users.find((u) => u.login === SAMPLE_ADMIN_LOGIN)!;
    expect(admin).toMatchObject({ isAdministrator: true, currentPlan: 'ten-sales', group: 'Management', position: 'Employee' });
    expect(admin.name).not.toBe('');
    expect(admin.emails[0]).toMatch(/@nordlys\.example$/);
    expect(clean.directory.users.find((u) => u.login === SAMPLE_USER_ADMIN_LOGIN)).toMatchObject({ isAdministrator: true, currentPlan: 'ten-service' });
    expect(clean.directory.users.find((u) => u.login === SAMPLE_SALES_LOGIN)).toMatchObject({ isAdministrator: false, currentPlan: 'sales-t1', group: 'Sales' });
    expect(clean.directory.users.find((u) => u.login === 'TEMP')).toMatchObject({ currentPlan: null, emails: [] });
  });

  it('lists the plans of the licence with their seats, not the single licences', () => {
    const names = clean.directory.plans.map((p) => p.moduleName);
    expect(names).toEqual(expect.arrayContaining(['ten-sales', 'ten-service', 'ten-marketing', 'sales-t1', 'ten-salesservicemarketing']));
    expect(names).not.toContain('user');
    expect(clean.directory.plans.find((p) => p.moduleName === 'ten-sales')).toEqual({ moduleName: 'ten-sales', description: 'Sales Premium', seats: 500 });
  });

  it('starts from the current plans and first addresses; with a contact it passes every rule', () => {
    const plan = startingPlan(clean.directory, contact);
    expect(plan.users).toHaveLength(clean.directory.users.length);
    const jd = clean.directory.users.find((u) => u.login === SAMPLE_SALES_LOGIN)!;
    expect(plan.users.find((u) => u.login === SAMPLE_SALES_LOGIN)).toEqual({ associateId: jd.associateId, login: 'JD', plan: 'sales-t1', loginEmail: jd.emails[0] });
    expect(plan.users.find((u) => u.login === 'TEMP')).toMatchObject({ plan: null, loginEmail: null });
    expect(plan.sendWelcomeEmails).toBe(false);
    expect(validatePlan(plan, clean.directory)).toEqual([]);
    expect(validatePlan(startingPlan(clean.directory), clean.directory).map((i) => i.code)).toEqual([
      'migrator-name-missing',
      'migrator-email-invalid',
      'migrator-phone-invalid',
    ]);
  });

  it('flags the sample problems the plan step must resolve', async () => {
    const dup = await sampleWith('duplicate-emails', ['duplicate-emails']);
    const issues = validatePlan(startingPlan(dup.directory, contact), dup.directory);
    expect(issues.map((i) => i.code)).toEqual(['login-email-duplicate', 'login-email-duplicate']);
    expect(issues[0]!.message).toMatch(/^user 'JD' and user 'MG' share .+@nordlys\.example\.$/);

    const noAdmin = await sampleWith('no-licensed-admin', ['no-licensed-admin']);
    expect(validatePlan(startingPlan(noAdmin.directory, contact), noAdmin.directory)).toEqual([
      expect.objectContaining({ code: 'no-administrator-with-plan', message: "no administrator has a user plan: give one to one of the administrators 'ADMIN' or 'UA'." }),
    ]);

    const invalid = await sampleWith('invalid-emails', ['invalid-emails']);
    expect(validatePlan(startingPlan(invalid.directory, contact), invalid.directory)).toEqual([
      expect.objectContaining({ code: 'login-email-invalid', message: 'user \'OP\' has an invalid login email: "olga.petrova@".' }),
    ]);
  });

  describe('omt-agent plan init / validate', () => {
    it('prints the plan so `plan init > plan.json` works, human and --json alike', async () => {
      const human = await agent(['plan', 'init', '--source', clean.url]);
      const json = await agent(['plan', 'init', '--source', clean.url, '--json']);
      expect(human.code).toBe(0);
      expect(migrationPlanSchema.parse(JSON.parse(human.stdout))).toEqual(startingPlan(clean.directory));
      expect(JSON.parse(json.stdout)).toEqual(JSON.parse(human.stdout));
    });

    it('writes --out with the migrator contact, and validates the edited file (exit 2 naming the users)', async () => {
      const out = join(dir, 'plan.json');
      const init = await agent([
        'plan', 'init', '--source', clean.url, '--out', out,
        '--migrator-name', contact.name, '--migrator-email', contact.email, '--migrator-phone', contact.phone,
      ]);
      expect(init.code).toBe(0);
      expect(init.stdout).toMatch(/Wrote the plan for \d+ users to .*plan\.json/);
      expect(init.stdout).toMatch(/passes every rule/);

      const ok = await agent(['plan', 'validate', '--plan', out, '--source', clean.url, '--json']);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, issues: [] });

      const plan = migrationPlanSchema.parse(JSON.parse(await readFile(out, 'utf8'))) as MigrationPlan;
      const admin = plan.users.find((u) => u.login === SAMPLE_ADMIN_LOGIN)!;
      const jd = plan.users.find((u) => u.login === SAMPLE_SALES_LOGIN)!;
      admin.loginEmail = jd.loginEmail!.toUpperCase();
      await writeFile(out, JSON.stringify(plan));
      const bad = await agent(['plan', 'validate', '--plan', out, '--source', clean.url]);
      expect(bad.code).toBe(2);
      expect(bad.stdout).toContain(`user 'ADMIN' and user 'JD' share ${jd.loginEmail!.toLowerCase()}`);
    });

    it('refuses a plan file that is not a plan, with the fields', async () => {
      const out = join(dir, 'broken.json');
      await writeFile(out, JSON.stringify({ formatVersion: 1, users: [{ associateId: 'x' }] }));
      const bad = await agent(['plan', 'validate', '--plan', out, '--source', clean.url, '--json']);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(JSON.parse(bad.stdout).error.details.map((d: { path: string }) => d.path)).toContain('users.0.associateId');
    });
  });
});
