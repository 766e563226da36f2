import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/databases';
import { createSampleDatabase } from '../../apps/agent/src/sample/sample-db';
import { SAMPLE_ADMIN_LOGIN, SAMPLE_ADMIN_PASSWORD } from '../../apps/agent/src/sample/sample-users';
import { AGENT_BIN, PipelineStack, runNode, tenantUrl, type NodeRun } from './support/pipeline-stack';
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

function migrateArgs(stack: PipelineStack, code: string, extra: string[] = []): string[] {
  return [
    AGENT_BIN,
    'migrate',
    '--api',
    stack.url,
    '--code',
    code,
    '--source',
    source.url,
    '--archive',
    archive,
    '--user',
    SAMPLE_ADMIN_LOGIN,
    '--yes',
    '--json',
    '--state-dir',
    path.join(dir, `state-${code.slice(0, 4)}`),
    ...extra,
  ];
}

const agentEnv = { PATH: process.env.PATH, OMT_CRM_PASSWORD: SAMPLE_ADMIN_PASSWORD };

async function explain(stack: PipelineStack, run: NodeRun): Promise<string> {
  return `agent exit ${run.code}\n--- stdout\n${run.stdout.slice(-4000)}\n--- stderr\n${run.stderr.slice(-4000)}\n--- stack log\n${await stack.logTail(15)}`;
}

async function ticketState(stack: PipelineStack, ticketId: string): Promise<string> {
  const [row] = await queryDatabase(stack.database.url, 'SELECT state FROM "Ticket" WHERE id = $1', [ticketId]);
  return String(row?.state);
}

it('migrates the medium sample with API, worker and agent as processes: every table equal, verified, completed', async () => {
  const stack = await PipelineStack.create('migrate');
  try {
    await stack.start('dev');
    const ticket = await stack.createTicket(await stack.createSalesKey());
    // The headless path of issue 7: a starting plan written by `plan init`, then `migrate --plan`.
    const plan = path.join(dir, 'plan.json');
    const init = await runNode(
      [
        AGENT_BIN,
        'plan',
        'init',
        '--source',
        source.url,
        '--out',
        plan,
        '--migrator-name',
        'Mia Migrator',
        '--migrator-email',
        'mia@example.com',
        '--migrator-phone',
        '+47 22 33 44 55',
      ],
      agentEnv,
    );
    expect(init.code).toBe(0);
    const started = Date.now();
    const run = await runNode(migrateArgs(stack, ticket.code, ['--plan', plan]), agentEnv);
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
    const again = await runNode(migrateArgs(stack, ticket.code), agentEnv);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ mode: 'done', state: 'completed' });
  } finally {
    await stack.close();
  }
});
