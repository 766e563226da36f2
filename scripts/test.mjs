// `npm test`: set-up, type check of every project and lint, then every Jest test
// (unit, integration against the real PostgreSQL and Redis, end to end) in
// one run. One exit code; the last line is "N passed, N failed".
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT, bold, green, red, run, step } from './lib.mjs';
import { setup } from './setup.mjs';

const TYPECHECKED = ['libs/contracts', 'libs/copy-text', 'apps/agent', 'apps/ops-api', 'apps/ops-dashboard', 'test'];
const PG_ADMIN_URL = process.env.OMT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function typecheck() {
  step('type checking every project…');
  const projects = TYPECHECKED.filter((p) => existsSync(path.join(ROOT, p, 'tsconfig.json')));
  const codes = await Promise.all(
    projects.map((p) => run(path.join(BIN, 'tsc'), ['-p', path.join(p, 'tsconfig.json'), '--noEmit', '--pretty'])),
  );
  const failed = projects.filter((_, i) => codes[i] !== 0);
  for (const p of failed) console.error(red(`✗ type errors in ${p}`));
  return failed.length;
}

async function lint() {
  step('linting (eslint)…');
  const code = await run(path.join(BIN, 'eslint'), ['.', '--max-warnings=0']);
  if (code !== 0) console.error(red('✗ lint errors'));
  return code === 0 ? 0 : 1;
}

/** One migrated operations database per run; integration tests clone it (CREATE DATABASE … TEMPLATE). */
async function withTemplateDatabase(body) {
  const pg = (await import(path.join(ROOT, 'node_modules/pg/lib/index.js'))).default;
  const name = `omt_t_template_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  await admin(`CREATE DATABASE "${name}"`);
  try {
    step('migrating the test template database…');
    const code = await run(path.join(BIN, 'prisma'), ['migrate', 'deploy'], {
      cwd: path.join(ROOT, 'apps/ops-api'),
      env: { ...process.env, DATABASE_URL: url.toString(), CHECKPOINT_DISABLE: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (code !== 0) throw new Error('prisma migrate deploy failed for the test template database');
    return await body(name);
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function jest(templateDb, args) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'omt-jest-'));
  const report = path.join(dir, 'report.json');
  try {
    await run(path.join(BIN, 'jest'), ['--ci', '--json', `--outputFile=${report}`, ...args], {
      env: { ...process.env, OMT_TEST_TEMPLATE_DB: templateDb, NODE_ENV: 'test' },
    });
    const result = JSON.parse(readFileSync(report, 'utf8'));
    // A skipped test says why in its name; list them so nobody mistakes a skip for a pass.
    for (const file of result.testResults) {
      for (const test of file.assertionResults) {
        if (test.status === 'pending' || test.status === 'skipped') console.log(`skipped: ${test.fullName}`);
      }
    }
    return {
      passed: result.numPassedTests,
      failed: result.numFailedTests + result.numRuntimeErrorTestSuites,
      skipped: result.numPendingTests + result.numTodoTests,
    };
  } catch (error) {
    console.error(red(`Jest did not produce a report: ${error.message}`));
    return { passed: 0, failed: 1, skipped: 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
await setup();
const typeErrors = (await typecheck()) + (await lint());
const counts = await withTemplateDatabase((template) => jest(template, args));
const failed = counts.failed + typeErrors;
const summary = `${counts.passed} passed, ${failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`;
if (typeErrors) console.log(red(`${typeErrors} static check(s) failed: type check or lint (counted as failures).`));
console.log(bold(failed ? red('✗ tests failed') : green('✓ all tests passed')));
console.log(summary);
process.exit(failed ? 1 : 0);
