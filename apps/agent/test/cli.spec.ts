import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECK_IDS } from '@omt/contracts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases';
import { buildProgram } from '../src/main';
import { CHECKS } from '../src/checks/run-checks';
import { SAMPLE_ADMIN_LOGIN, SAMPLE_ADMIN_PASSWORD } from '../src/sample/sample-users';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('cli');
  dir = await mkdtemp(join(tmpdir(), 'omt-cli-'));
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function agent(args: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  let code = 0;
  try {
    const program = buildProgram({ stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, (c) => void (code = c));
    await program.parseAsync(['node', 'omt-agent', ...args]);
  } finally {
    process.env = saved;
  }
  return { stdout, stderr, code };
}

it('defines one check per contract check id', () => {
  expect(CHECKS.map((c) => c.id).sort()).toEqual([...CHECK_IDS].sort());
});

it('builds a sample, checks it, and exits 2 only when a check blocks', async () => {
  const archive = join(dir, 'arc');
  const built = await agent(['sample-db', '--target', db.url, '--archive', archive, '--seed', '5', '--json']);
  expect(built.code).toBe(0);
  expect(JSON.parse(built.stdout)).toMatchObject({ schema: 'crm7', size: 'small', admin: { login: SAMPLE_ADMIN_LOGIN } });

  const env = { OMT_SOURCE: db.url, OMT_CRM_USER: SAMPLE_ADMIN_LOGIN, OMT_CRM_PASSWORD: SAMPLE_ADMIN_PASSWORD };
  const clean = await agent(['check', '--archive', archive, '--json'], env);
  expect(clean.code).toBe(0);
  expect(JSON.parse(clean.stdout).report.blocked).toBe(false);

  await agent(['sample-db', '--target', db.url, '--archive', archive, '--problems', 'satellite,customer-service']);
  const blocked = await agent(['check', '--archive', archive], env);
  expect(blocked.code).toBe(2);
  expect(blocked.stdout).toMatch(/BLOCK Active satellites/);
  expect(blocked.stdout).toMatch(/WARN {2}Customer Service mailboxes/);
});

it('check marks the blocking findings the plan step fixes as PLAN, apart from those fixed onsite', async () => {
  const archive = join(dir, 'arc-plan');
  const env = { OMT_SOURCE: db.url, OMT_CRM_USER: SAMPLE_ADMIN_LOGIN, OMT_CRM_PASSWORD: SAMPLE_ADMIN_PASSWORD };
  await agent(['sample-db', '--target', db.url, '--archive', archive, '--problems', 'duplicate-emails,satellite']);
  const both = await agent(['check', '--archive', archive], env);
  expect(both.code).toBe(2);
  expect(both.stdout).toMatch(/\(logged on as ADMIN\): 2 blocking \(1 fixed in the plan\), 0 warnings/);
  expect(both.stdout).toMatch(/PLAN {2}Users share a login email \[user-email-duplicate\]/);
  expect(both.stdout).toContain("fixed in the plan: give users 'JD' and 'MG' login emails of their own in the login email step");
  expect(both.stdout).toMatch(/BLOCK Active satellites/);
  expect(both.stdout).toContain('Migration is blocked until the BLOCK findings are fixed onsite and the PLAN findings in the plan.');

  await agent(['sample-db', '--target', db.url, '--archive', archive, '--problems', 'duplicate-emails,no-licensed-admin']);
  const plan = await agent(['check', '--archive', archive], env);
  expect(plan.code).toBe(2);
  expect(plan.stdout).not.toMatch(/BLOCK/);
  expect(plan.stdout).toMatch(/Nothing blocks onsite: fix the PLAN findings in the plan/);
  const json = JSON.parse((await agent(['check', '--archive', archive, '--json'], env)).stdout);
  expect(json.fixedInPlan.map((f: { id: string }) => f.id)).toEqual(['user-email-duplicate', 'admin-without-plan']);
});

it('prints errors with a code and no stack trace, exit 1', async () => {
  const refused = await agent(['check', '--source', db.url, '--user', SAMPLE_ADMIN_LOGIN, '--password', 'wrong']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toBe(`error [ADMIN_LOGON_REFUSED]: Logon refused: unknown user or wrong password for '${SAMPLE_ADMIN_LOGIN}'.\n`);
  const json = await agent(['introspect', '--json'], { OMT_SOURCE: 'oracle://x/y' });
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout).error.code).toBe('CONFIG_INVALID');
});

it('writes the sample as a T-SQL script', async () => {
  const file = join(dir, 'sample.sql');
  const result = await agent(['sample-db', '--tsql', file, '--problems', 'customizations', '--json']);
  expect(result.code).toBe(0);
  const text = await (await import('node:fs/promises')).readFile(file, 'utf8');
  expect(text).toMatch(/CREATE TABLE \[crm7\]\.\[y_equipment\]/);
  expect(text).toMatch(/INSERT INTO \[crm7\]\.\[associate\]/);
  expect(text).toContain("N'ADMIN'");
});

it('sizes a sample by rows, documents and file size (the benchmark)', async () => {
  const archive = join(dir, 'sized');
  const built = await agent(['sample-db', '--target', db.url, '--archive', archive, '--rows', '5000', '--documents', '7', '--doc-kb', '3', '--json']);
  expect(built.code).toBe(0);
  const summary = JSON.parse(built.stdout) as { rows: number; archiveFiles: number; archiveBytes: number };
  // "About" that many: the users' own rows (emails, phones, licences) come on top of the scaled tables.
  expect(summary.rows).toBeGreaterThan(4500);
  expect(summary.rows).toBeLessThan(6500);
  expect(summary.archiveFiles).toBe(7);
  expect(summary.archiveBytes).toBe(7 * 3 * 1024);

  const bad = await agent(['sample-db', '--target', db.url, '--archive', archive, '--rows', 'many']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toBe('error [VALIDATION_FAILED]: --rows must be a whole number ≥ 100, not "many".\n');
});
