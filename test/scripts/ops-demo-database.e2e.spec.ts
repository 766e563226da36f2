import path from 'node:path';
import { PG_ADMIN_URL, dropDatabase, uniqueName } from '../support/databases';
import { PipelineStack, ROOT, runNode } from '../pipeline/support/pipeline-stack';

/**
 * The README's commands agree: with the demo running, the admin CLI made by
 * `npm run ops -- keys create` (no DATABASE_URL) must write into the
 * database the demo's API reads, or the sales system's new key is refused.
 * The demo's database name is this run's own (OMT_DEMO_DATABASE), so the
 * test leaves a real demo alone.
 */
jest.setTimeout(240_000);

const demoDatabase = uniqueName('demo_ops');
/** A person's shell: no DATABASE_URL. */
const shell: NodeJS.ProcessEnv = { PATH: process.env.PATH, OMT_DEMO_PG_URL: PG_ADMIN_URL, OMT_DEMO_DATABASE: demoDatabase };

afterAll(async () => dropDatabase(demoDatabase));

/** The API environment `npm run demo` starts its API with (scripts/demo-env.mjs, which demo.mjs uses). */
async function demoApiEnvironment(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const script = `const m = await import(${JSON.stringify(path.join(ROOT, 'scripts/demo-env.mjs'))}); process.stdout.write(JSON.stringify(m.demoEnvironment()));`;
  const run = await runNode(['--input-type=module', '-e', script], env);
  if (run.code !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as NodeJS.ProcessEnv;
}

it("without DATABASE_URL, the demo and npm run ops both default to omt_demo", async () => {
  const { PATH } = process.env;
  expect((await demoApiEnvironment({ PATH })).DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/omt_demo');
  // ops.mjs says which database it uses when DATABASE_URL is not set.
  const ops = await runNode([path.join(ROOT, 'scripts/ops.mjs'), 'keys', 'create'], { PATH });
  expect(ops.code).not.toBe(0); // --role and --name missing: refused before touching a database
  expect(ops.stderr).toContain("the demo's operations database postgres://postgres@127.0.0.1:5432/omt_demo");
});

it('a sales key made by `npm run ops -- keys create` is accepted by the API the demo starts', async () => {
  const created = await runNode(
    [path.join(ROOT, 'scripts/ops.mjs'), '--json', 'keys', 'create', '--role', 'sales', '--name', 'CRM sales integration'],
    shell,
  );
  if (created.code !== 0) throw new Error(`npm run ops exit ${created.code}: ${created.stderr}${created.stdout}`);
  const { key } = JSON.parse(created.stdout) as { key: string };

  const demo = await demoApiEnvironment(shell);
  expect(demo.DATABASE_URL).toBe(`postgres://postgres@127.0.0.1:5432/${demoDatabase}`);
  const stack = await PipelineStack.create('demo-ops');
  try {
    // The test's own port, Redis prefix and folders; the operations database is the demo's.
    stack.env.DATABASE_URL = demo.DATABASE_URL;
    await stack.start('dev');
    const me = await fetch(`${stack.url}/api/auth/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ role: 'sales', name: 'CRM sales integration' });
  } finally {
    await stack.close();
  }
});
