import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PipelineStack, runNode, tenantUrl } from '../pipeline/support/pipeline-stack';
import { expectTenantEqualsSource } from '../pipeline/support/compare-tables';
import { AGENT_ENV, batchCounts, explain, migrateArgs, until } from '../pipeline/support/agent-run';
import { FAULT_BATCH_ROWS, batchesReach, faultSpec } from './support/fault-migration';
import { startTcpProxy } from '../support/tcp-proxy';

/**
 * A bad line between agent and API: connections cut in the middle of
 * requests, and bytes of a batch flipped on the way. Real TCP proxies in
 * front of the real API; real worker and agent processes. Build first.
 */
const sample = faultSpec('faults_net', 47);
let stack: PipelineStack;
let salesKey: string;

beforeAll(async () => {
  stack = await PipelineStack.create('network');
  await stack.start('dev');
  salesKey = await stack.createSalesKey();
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

const BATCH_PUT = /^PUT \/api\/agent\/tables\/[^ ]+\/batches\/\d+ HTTP/;

it('connections cut by a proxy in the middle of batches, again and again: retried, completed, nothing lost or twice', async () => {
  const ticket = await stack.createTicket(salesKey);
  const source = sample();
  const proxy = await startTcpProxy(stack.url);
  try {
    const agent = runNode(
      migrateArgs(
        proxy.url,
        ticket.code,
        { url: source.db.url, archive: source.archive },
        {
          stateDir: path.join(stack.dir, 'state-cuts'),
          batchRows: FAULT_BATCH_ROWS,
        },
      ),
      AGENT_ENV,
    );
    await batchesReach(stack, ticket.ticketId, (c) => c.received >= 5, 'the first batches', agent);
    // Four cuts, each a few batches' worth of bytes after the one before: inside requests, mid-upload.
    const CUTS = 4;
    let atLastCut = { received: 0, imported: 0 };
    for (let cut = 1; cut <= CUTS; cut++) {
      proxy.cutAfter(40_000);
      await until(async () => (proxy.cuts >= cut ? true : null), `cut ${cut}`, { agent });
      atLastCut = await batchCounts(stack, ticket.ticketId);
    }

    const run = await agent;
    if (run.code !== 0) throw new Error(await explain(stack, run));
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'completed', verified: true });
    expect(proxy.cuts).toBe(CUTS);
    const final = await batchCounts(stack, ticket.ticketId);
    expect(atLastCut.received).toBeLessThan(final.received);
    expect(final.imported).toBe(final.received);
    await expectTenantEqualsSource(source.db.url, tenantUrl(ticket.tenantDatabase));
  } finally {
    await proxy.close();
  }
});

it('a batch damaged on the wire is refused (422), sent again by the agent, and nothing damaged is imported', async () => {
  const ticket = await stack.createTicket(salesKey);
  const source = sample();
  const proxy = await startTcpProxy(stack.url, { http: true });
  const refusedBefore = await refusedBatches();
  try {
    const DAMAGED = 3;
    proxy.damageNext(BATCH_PUT, DAMAGED);
    const run = await runNode(
      migrateArgs(
        proxy.url,
        ticket.code,
        { url: source.db.url, archive: source.archive },
        {
          stateDir: path.join(stack.dir, 'state-damage'),
          batchRows: FAULT_BATCH_ROWS,
        },
      ),
      AGENT_ENV,
    );
    if (run.code !== 0) throw new Error(await explain(stack, run));
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'completed', verified: true });
    expect(proxy.damaged).toBe(DAMAGED);
    // The API saw each damaged body and refused it; what it imported equals the source.
    expect((await refusedBatches()) - refusedBefore).toBe(DAMAGED);
    const final = await batchCounts(stack, ticket.ticketId);
    expect(final.imported).toBe(final.received);
    await expectTenantEqualsSource(source.db.url, tenantUrl(ticket.tenantDatabase));
  } finally {
    await proxy.close();
  }
});

/** Batch uploads the API answered 422 (CHECKSUM_MISMATCH or BATCH_INVALID), from its request log. */
async function refusedBatches(): Promise<number> {
  const log = await readFile(stack.logPath, 'utf8');
  return log
    .split('\n')
    .filter((line) => line.includes('"statusCode":422'))
    .filter((line) => /"method":"PUT","url":"\/api\/agent\/tables\/[^"]+\/batches\/\d+"/.test(line)).length;
}
