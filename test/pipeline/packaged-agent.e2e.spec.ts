import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AGENT_BIN, ROOT, runNode } from './support/pipeline-stack';
import { AGENT_ENV, createSampleSource, type SampleSource } from './support/agent-run';
import { SAMPLE_ADMIN_LOGIN } from '../../apps/agent/src/sample/sample-users';

/**
 * The file a migrator gets (`npm run package:agent`) works alone: copied
 * into an empty folder outside the repository, with nothing but Node, it
 * answers, checks a sample CRM and serves the wizard page.
 */
jest.setTimeout(180_000);

const PAGE_DIR = path.join(ROOT, 'apps/agent/src/wizard/page');
let source: SampleSource;
let alone: string;
let agent: string;

beforeAll(async () => {
  source = await createSampleSource('packaged', { seed: 5 });
  alone = await mkdtemp(path.join(os.tmpdir(), 'omt-packaged-'));
  agent = path.join(alone, 'omt-agent.cjs');
  await copyFile(AGENT_BIN, agent);
});

afterAll(async () => {
  await source?.drop();
  if (alone) await rm(alone, { recursive: true, force: true });
});

/** The packaged agent, run from its own empty folder (no node_modules anywhere up from it). */
function runAlone(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [agent, ...args], { cwd: alone, env: AGENT_ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('is one file: its folder holds nothing else, and no node_modules is reachable from it', async () => {
  expect(await readdir(alone)).toEqual(['omt-agent.cjs']);
  for (let dir = alone; dir !== path.dirname(dir); dir = path.dirname(dir))
    expect(await readdir(dir).then((names) => names.includes('node_modules'))).toBe(false);
});

it('prints its help and version', async () => {
  const help = await runAlone(['--help']);
  expect(help).toMatchObject({ code: 0, stderr: '' });
  for (const command of ['sample-db', 'check', 'plan', 'wizard', 'migrate']) expect(help.stdout).toContain(command);
  const { version } = JSON.parse(await readFile(path.join(ROOT, 'apps/agent/package.json'), 'utf8')) as {
    version: string;
  };
  expect((await runAlone(['--version'])).stdout.trim()).toBe(version);
});

it('checks the sample CRM, logged on as its administrator', async () => {
  const run = await runAlone([
    'check',
    '--source',
    source.db.url,
    '--archive',
    source.archive,
    '--user',
    SAMPLE_ADMIN_LOGIN,
    '--json',
  ]);
  if (run.code !== 0) throw new Error(`check exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  const result = JSON.parse(run.stdout) as {
    administrator: { login: string };
    report: { blocked: boolean; results: Array<{ id: string; passed: boolean }> };
  };
  expect(result.administrator.login).toBe(SAMPLE_ADMIN_LOGIN);
  expect(result.report.blocked).toBe(false);
  expect(result.report.results.length).toBeGreaterThan(5);
});

it('serves the wizard page, byte for byte the files in apps/agent/src/wizard/page', async () => {
  const child = spawn(
    process.execPath,
    [
      agent,
      'wizard',
      '--source',
      source.db.url,
      '--archive',
      source.archive,
      '--no-open',
      '--out',
      path.join(alone, 'plan.json'),
    ],
    { cwd: alone, env: AGENT_ENV },
  );
  try {
    // The link goes to stderr (stdout is for the result).
    const link = await new Promise<string>((resolve, reject) => {
      let said = '';
      child.stderr.on('data', (c: Buffer) => {
        said += c.toString('utf8');
        const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(said);
        if (match) resolve(match[0]);
      });
      child.once('exit', (code) => reject(new Error(`wizard ended (exit ${code}) before printing its link: ${said}`)));
      setTimeout(() => reject(new Error(`no wizard link within 60 s: ${said}`)), 60_000).unref();
    });
    const entry = await fetch(link, { redirect: 'manual' });
    expect(entry.status).toBe(303);
    const cookie = entry.headers.get('set-cookie')!.split(';')[0]!;
    const origin = new URL(link).origin;
    for (const [route, file] of [
      ['/', 'index.html'],
      ['/wizard.js', 'wizard.js'],
      ['/wizard.css', 'wizard.css'],
    ] as const) {
      const response = await fetch(`${origin}${route}`, { headers: { cookie } });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(await readFile(path.join(PAGE_DIR, file), 'utf8'));
    }
  } finally {
    child.kill('SIGTERM');
  }
});

it('is the agent the end-to-end migrations run', async () => {
  // The workspace build would also pass the pipeline tests; they must prove the package.
  expect(path.relative(ROOT, AGENT_BIN)).toBe(path.join('dist', 'omt-agent.cjs'));
  const run = await runNode([AGENT_BIN, '--version'], AGENT_ENV);
  expect(run.code).toBe(0);
});
