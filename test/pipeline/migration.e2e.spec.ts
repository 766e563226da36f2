import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/databases';
import { createSampleDatabase } from '../../apps/agent/src/sample/sample-db';
import { PipelineStack, runNode, tenantUrl } from './support/pipeline-stack';
import { AGENT_ENV, explain, migrateArgs as agentMigrateArgs, planInitArgs, ticketState } from './support/agent-run';
import { expectTenantEqualsSource } from './support/compare-tables';

/**
 * Issue 5's proof: real processes (API, worker, agent), real PostgreSQL and
 * Redis. Needs a build (`npx nx run-many -t build`) and, to be quick, a
 * migrated template (OMT_TEST_TEMPLATE_DB).
 */
jest.setTimeout(600_000);

let source: TestDatabase;
let dir: string;
let archive: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omt-e2e-'));
  archive = path.join(dir, 'SO_ARC');
  source = await createTestDatabase('e2e_source');
  await createSampleDatabase({ target: source.url, archive, seed: 11, size: 'medium', problems: [] });
});

afterAll(async () => {
  await source?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The agent against the stack; one state folder per enrollment code, so a second run reuses the token. */
const migrateArgs = (stack: PipelineStack, code: string, plan?: string) =>
  agentMigrateArgs(
    stack.url,
    code,
    { url: source.url, archive },
    { stateDir: path.join(dir, `state-${code.slice(0, 4)}`), plan },
  );

it('migrates the medium sample with API, worker and agent as processes: every table equal, verified, completed', async () => {
  const stack = await PipelineStack.create('migrate');
  try {
    await stack.start('dev');
    const ticket = await stack.createTicket(await stack.createSalesKey());
    // The headless path of issue 7: a starting plan written by `plan init`, then `migrate --plan`.
    const plan = path.join(dir, 'plan.json');
    const init = await runNode(planInitArgs(source.url, plan), AGENT_ENV);
    expect(init.code).toBe(0);
    const started = Date.now();
    const run = await runNode(migrateArgs(stack, ticket.code, plan), AGENT_ENV);
    const seconds = (Date.now() - started) / 1000;
    if (run.code !== 0) throw new Error(await explain(stack, run));
    const result = JSON.parse(run.stdout) as {
      state: string;
      verified: boolean;
      mode: string;
      tables: { tables: number; rows: number };
    };
    expect(result).toMatchObject({ state: 'completed', verified: true, mode: 'initial' });
    expect(await ticketState(stack, ticket.ticketId)).toBe('completed');
    const rows = await expectTenantEqualsSource(source.url, tenantUrl(ticket.tenantDatabase));
    const planned = JSON.parse(await readFile(plan, 'utf8')) as {
      users: Array<{ associateId: number; plan: string | null; loginEmail: string | null }>;
    };
    const userNames = await queryDatabase(
      tenantUrl(ticket.tenantDatabase),
      'SELECT associate_id, "userName" FROM crm7.associate',
    );
    const userNameOf = new Map(userNames.map((r) => [Number(r.associate_id), r.userName]));
    for (const user of planned.users.filter((u) => u.plan !== null))
      expect(userNameOf.get(user.associateId)).toBe(user.loginEmail);
    expect(result.tables.rows).toBe(rows);
    process.stdout.write(
      `medium sample: ${result.tables.tables} tables, ${rows} rows migrated and verified in ${seconds.toFixed(1)} s (agent wall time)\n`,
    );

    // Started again, the agent sees the ticket is done and leaves it alone.
    const again = await runNode(migrateArgs(stack, ticket.code), AGENT_ENV);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ mode: 'done', state: 'completed' });
  } finally {
    await stack.close();
  }
});
