import path from 'node:path';
import { PG_ADMIN_URL, databaseUrl, dropDatabase, queryDatabase, uniqueName } from '../support/databases';
import { runNode, tenantUrl } from '../pipeline/support/pipeline-stack';
import { expectTenantEqualsSource } from '../pipeline/support/compare-tables';
import { AGENT_ENV, createSampleSource, explain, migrateArgs, type SampleSource } from '../pipeline/support/agent-run';
import { withStack } from './support/fault-migration';

/**
 * Load: ten agents migrate ten tickets at once against one API process and
 * one worker process, each from an onsite database of its own (copies of
 * one small sample). Real processes; build first.
 */
jest.setTimeout(300_000);

const AGENTS = 10;
let sample: SampleSource;
const copies: string[] = [];

beforeAll(async () => {
  sample = await createSampleSource('faults_load', { seed: 59 });
  for (let i = 0; i < AGENTS; i++) {
    const name = uniqueName(`load_src_${i}`);
    await queryDatabase(PG_ADMIN_URL, `CREATE DATABASE "${name}" TEMPLATE "${sample.db.name}"`);
    copies.push(name);
  }
});

afterAll(async () => {
  for (const name of copies) await dropDatabase(name);
  await sample?.drop();
});

it('ten agents at once against one API and one worker: every migration completes, verified, every tenant equal to its source', async () => {
  await withStack('load', async (stack) => {
    await stack.start('main');
    await stack.start('worker');
    const salesKey = await stack.createSalesKey();
    const tickets = [];
    for (let i = 0; i < AGENTS; i++) tickets.push(await stack.createTicket(salesKey));

    const runs = await Promise.all(
      tickets.map((ticket, i) =>
        runNode(
          migrateArgs(
            stack.url,
            ticket.code,
            { url: databaseUrl(copies[i]!), archive: sample.archive },
            {
              stateDir: path.join(stack.dir, `agent-${i}`),
            },
          ),
          AGENT_ENV,
        ),
      ),
    );
    for (const run of runs) if (run.code !== 0) throw new Error(await explain(stack, run));
    for (const run of runs) expect(JSON.parse(run.stdout)).toMatchObject({ state: 'completed', verified: true });
    const tenants = new Set(tickets.map((t) => t.tenantDatabase));
    expect(tenants.size).toBe(AGENTS);
    for (const [i, ticket] of tickets.entries())
      await expectTenantEqualsSource(databaseUrl(copies[i]!), tenantUrl(ticket.tenantDatabase));
  });
});
