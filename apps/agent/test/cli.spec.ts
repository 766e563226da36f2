import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  expect(blocked.stdout).toMatch(/BLOCK No satellite is active \[active-satellites\]/);
  expect(blocked.stdout).toMatch(/WARN {2}No Customer Service mailbox needs a new address \[customer-service-mailboxes\]/);
});

it('check marks the blocking findings the plan step fixes as PLAN, apart from those fixed onsite', async () => {
  const archive = join(dir, 'arc-plan');
  const env = { OMT_SOURCE: db.url, OMT_CRM_USER: SAMPLE_ADMIN_LOGIN, OMT_CRM_PASSWORD: SAMPLE_ADMIN_PASSWORD };
  await agent(['sample-db', '--target', db.url, '--archive', archive, '--problems', 'duplicate-emails,satellite']);
  const both = await agent(['check', '--archive', archive], env);
  expect(both.code).toBe(2);
  expect(both.stdout).toMatch(/\(logged on as ADMIN\): 2 blocking \(1 fixed in the plan\), 0 warnings/);
  expect(both.stdout).toMatch(/PLAN {2}Login emails are unique \[user-email-duplicate\]/);
  expect(both.stdout).toContain("fixed in the plan: give users 'JD' and 'MG' login emails of their own in the login email step");
  expect(both.stdout).toMatch(/BLOCK No satellite is active/);
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
  expect(refused.stderr).toBe(
    `error [ADMIN_LOGON_REFUSED]: Logon refused: unknown user or wrong password for '${SAMPLE_ADMIN_LOGIN}'. ` +
      "Log on as a CRM administrator (a user whose role holds the admin-all or admin-users right), with that user's CRM password; " +
      'the password was taken from --password or the OMT_CRM_PASSWORD environment variable.\n',
  );
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

/** A real HTTP server that answers nothing useful and counts what reaches it: the oracle for "nothing was sent". */
async function countingServer() {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const CODE = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789';

describe('a wrong --archive stops every command before anything is sent', () => {
  const missing = () => join(dir, 'SO_ARC-that-is-not-there');
  const env = () => ({ OMT_SOURCE: db.url, OMT_CRM_USER: SAMPLE_ADMIN_LOGIN, OMT_CRM_PASSWORD: SAMPLE_ADMIN_PASSWORD });
  const said = (where: string) =>
    `error [ARCHIVE_UNUSABLE]: The document archive folder ${where} does not exist. ` +
    'Give the SO_ARC document archive folder with --archive <dir> (or OMT_ARCHIVE, or ArchivePath in SuperOffice.config).\n';

  it('check and scan-archive: a folder that does not exist, and an empty one while the database lists documents', async () => {
    const check = await agent(['check', '--archive', missing()], env());
    expect(check).toMatchObject({ code: 1, stdout: '', stderr: said(missing()) });
    const scan = await agent(['scan-archive', '--archive', missing(), '--json'], env());
    expect(scan.code).toBe(1);
    expect(JSON.parse(scan.stdout).error.code).toBe('ARCHIVE_UNUSABLE');

    const empty = join(dir, 'empty-archive');
    await mkdir(empty, { recursive: true });
    const emptyCheck = await agent(['check', '--archive', empty], env());
    expect(emptyCheck.code).toBe(1);
    expect(emptyCheck.stderr).toMatch(/^error \[ARCHIVE_UNUSABLE\]: None of the \d+ document\(s\) the database lists is in .*empty-archive .*the folder is empty or is not the document archive/);
  });

  it('migrate and the wizard: not one request reaches the API, no token is stored', async () => {
    const api = await countingServer();
    try {
      const stateDir = join(dir, 'state-archive');
      const migrate = await agent(
        ['migrate', '--api', api.url, '--code', CODE, '--archive', missing(), '--yes', '--state-dir', stateDir],
        env(),
      );
      expect(migrate).toMatchObject({ code: 1, stdout: '', stderr: said(missing()) });
      const wizard = await agent(
        ['wizard', '--api', api.url, '--code', CODE, '--archive', missing(), '--no-open', '--state-dir', stateDir],
        env(),
      );
      expect(wizard).toMatchObject({ code: 1, stderr: said(missing()) });
      expect(api.requests).toEqual([]);
      await expect(mkdir(stateDir)).resolves.toBeUndefined(); // nothing created it
    } finally {
      await api.close();
    }
  });
});

it('says what an enrollment code looks like when the one given is malformed, before any request', async () => {
  const api = await countingServer();
  try {
    const run = (code: string) =>
      agent(['migrate', '--api', api.url, '--code', code, '--yes', '--state-dir', join(dir, 'state-code')], {
        OMT_SOURCE: db.url,
        OMT_CRM_USER: SAMPLE_ADMIN_LOGIN,
        OMT_CRM_PASSWORD: SAMPLE_ADMIN_PASSWORD,
      });
    const short = await run('ABCD-EFGH-JKMN');
    expect(short.code).toBe(1);
    expect(short.stderr).toBe(
      'error [ENROLLMENT_CODE_INVALID]: The enrollment code "ABCD-EFGH-JKMN" has 12 letters and digits instead of 32: ' +
        `an enrollment code is 8 groups of 4 letters and digits, like ${CODE} (dashes and case do not matter). ` +
        'Copy it again from the email operations sent, or ask them for a new one.\n',
    );
    const letterO = await run(CODE.replace('ABCD', 'ABCO'));
    expect(letterO.stderr).toMatch(/holds characters a code never has \(O; the letters I, L, O and U are not used\)/);
    // Case and dashes as typed are fine: this one passes the shape check and goes on to the (unhelpful) API.
    const typed = await run(CODE.toLowerCase().replace(/-/g, ' '));
    expect(typed.stderr).not.toMatch(/ENROLLMENT_CODE_INVALID/);
    expect(api.requests.length).toBeGreaterThan(0);
    expect(api.requests.every((r) => r === 'POST /api/agent/enroll')).toBe(true);
  } finally {
    await api.close();
  }
});
