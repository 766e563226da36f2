import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases';
import { readCrmCatalog, type CrmCatalog } from '../src/catalog/crm-catalog';
import { scanArchive } from '../src/archive/archive-scan';
import { runChecks } from '../src/checks/run-checks';
import { logOnAsAdministrator } from '../src/logon/admin-logon';
import { createSampleDatabase } from '../src/sample/sample-db';
import { SAMPLE_PROBLEMS, SAMPLE_PROBLEM_NAMES, type SampleProblem } from '../src/sample/sample-options';
import {
  SAMPLE_ADMIN_LOGIN,
  SAMPLE_ADMIN_PASSWORD,
  SAMPLE_SALES_LOGIN,
  SAMPLE_USER_ADMIN_LOGIN,
  SAMPLE_USER_PASSWORD,
} from '../src/sample/sample-users';
import { PostgresSource } from '../src/source/postgres-source';

let db: TestDatabase;
let archives: string;

beforeAll(async () => {
  db = await createTestDatabase('checks');
  archives = await mkdtemp(join(tmpdir(), 'omt-checks-'));
});

afterAll(async () => {
  await db?.drop();
  await rm(archives, { recursive: true, force: true });
});

/** Builds a small sample with the given problems in a schema of its own and reads what the checks need. */
async function sampleWith(label: string, problems: SampleProblem[]) {
  const schema = `crm7_${label.replace(/-/g, '_')}`;
  const archive = join(archives, label);
  await createSampleDatabase({ target: db.url, archive, seed: 7, size: 'small', problems, schema });
  const source = new PostgresSource(db.url, schema);
  try {
    const catalog = await readCrmCatalog(source);
    const scan = await scanArchive(catalog, archive);
    return { catalog, scan, report: runChecks({ catalog, archive: scan }) };
  } finally {
    await source.close();
  }
}

const failing = (report: ReturnType<typeof runChecks>) => report.results.filter((r) => !r.passed).map((r) => r.id);

describe('checks against sample databases', () => {
  let clean: Awaited<ReturnType<typeof sampleWith>>;
  beforeAll(async () => {
    clean = await sampleWith('clean', []);
  });

  it('passes every check on a clean sample', () => {
    expect(failing(clean.report)).toEqual([]);
    expect(clean.report.blocked).toBe(false);
    expect(clean.report.results).toHaveLength(12);
  });

  it('maps every document of a clean sample to its file', () => {
    expect(clean.scan.totals.ok.documents).toBe(clean.scan.documents.length);
    expect(clean.scan.totals.ok.bytes).toBeGreaterThan(0);
    expect(clean.scan.totals['missing-file'].documents).toBe(0);
  });

  it.each(SAMPLE_PROBLEM_NAMES)('a sample with only %s fires exactly its check', async (problem) => {
    const { report } = await sampleWith(problem, [problem]);
    const expected = SAMPLE_PROBLEMS[problem];
    expect(failing(report)).toEqual([expected]);
    const result = report.results.find((r) => r.id === expected)!;
    expect(result.subjects.length).toBeGreaterThan(0);
    expect(result.fix).not.toBe('');
    expect(report.blocked).toBe(result.severity === 'block');
  });

  it('names the users, tables and documents involved', async () => {
    const all = await sampleWith('all', [...SAMPLE_PROBLEM_NAMES]);
    const message = (id: string) => all.report.results.find((r) => r.id === id)!.message;
    expect(failing(all.report).sort()).toEqual(Object.values(SAMPLE_PROBLEMS).sort());
    expect(message('user-email-duplicate')).toMatch(/users 'JD' and 'MG' share jean\.dupont@nordlys\.example/);
    expect(message('user-email-invalid')).toMatch(/'OP' \(olga\.petrova@\)/);
    expect(message('admin-without-plan')).toMatch(/'ADMIN' and 'UA' are administrators without one/);
    expect(message('users-on-travel')).toMatch(/'JD' is out on Travel/);
    expect(message('active-satellites')).toMatch(/Bergen satellite/);
    expect(message('sentry-preferences')).toMatch(/SentryAddonNames/);
    expect(message('version-supported')).toMatch(/7\.0\.3209\.a/);
    expect(message('customizations')).toMatch(/y_equipment.*contact\.x_segment/);
    expect(message('customer-service-mailboxes')).toMatch(/support@nordlys\.example/);
    expect(message('documents-missing-files')).toMatch(/document 2 \(/);
    expect(message('documents-unlinked')).toMatch(/has no file name.*has no appointment.*owner does not exist/);
    expect(all.scan.totals['blank-name'].documents).toBe(1);
    expect(all.scan.totals['no-appointment'].documents).toBe(1);
    expect(all.scan.totals['owner-missing'].documents).toBe(1);
    expect(all.scan.totals['missing-file'].documents).toBe(3);
    expect(all.report.blocked).toBe(true);
  });

  describe('administrator logon', () => {
    let catalog: CrmCatalog;
    beforeAll(() => {
      catalog = clean.catalog;
    });

    it('accepts the General and the User administrator', () => {
      expect(logOnAsAdministrator(catalog, SAMPLE_ADMIN_LOGIN, SAMPLE_ADMIN_PASSWORD)).toMatchObject({
        login: SAMPLE_ADMIN_LOGIN,
        rights: ['admin-all'],
      });
      expect(logOnAsAdministrator(catalog, SAMPLE_USER_ADMIN_LOGIN.toLowerCase(), SAMPLE_USER_PASSWORD).rights).toEqual([
        'admin-users',
      ]);
    });

    it('refuses with the reason', () => {
      expect(() => logOnAsAdministrator(catalog, SAMPLE_ADMIN_LOGIN, 'wrong')).toThrow(/wrong password/);
      expect(() => logOnAsAdministrator(catalog, 'NOBODY', 'x')).toThrow(/unknown user or wrong password/);
      expect(() => logOnAsAdministrator(catalog, SAMPLE_SALES_LOGIN, SAMPLE_USER_PASSWORD)).toThrow(/not an administrator/);
      expect(() => logOnAsAdministrator(catalog, 'LN', SAMPLE_USER_PASSWORD)).toThrow(/retired/);
      expect(() => logOnAsAdministrator(catalog, 'ROOM1', '')).toThrow(/ADMIN_LOGON_REFUSED|refused/);
    });
  });
});
