import { runNode, tenantUrl, type NodeRun } from '../pipeline/support/pipeline-stack';
import { expectTenantEqualsSource } from '../pipeline/support/compare-tables';
import { AGENT_ENV, agentErrorCode, batchCounts, explain } from '../pipeline/support/agent-run';
import { batchesReach, faultMigration, faultSpec, withStack } from './support/fault-migration';

/**
 * The API process SIGKILLed in the middle of the upload and started again on
 * the same port, the worker running on. Real processes; build first.
 */
const sample = faultSpec('faults_api', 43);

it('the API killed mid-upload and started again: the agent carries on (or its re-run resumes) and the migration completes, nothing lost or twice', async () => {
  await withStack('api_restart', async (stack) => {
    const source = sample();
    const { ticket, args } = await faultMigration(stack, source);
    const agent = runNode(args, AGENT_ENV);
    const atKill = await batchesReach(stack, ticket.ticketId, (c) => c.received >= 10, 'the first batches', agent);
    await stack.restart('main');

    let run: NodeRun = await agent;
    // The agent's retries span about half a minute; a slower restart leaves it to the re-run, which must resume.
    const carriedOn = run.code === 0;
    if (!carriedOn) {
      if (agentErrorCode(run) !== 'SERVICE_UNAVAILABLE') throw new Error(await explain(stack, run));
      run = await runNode(args, AGENT_ENV);
    }
    if (run.code !== 0) throw new Error(await explain(stack, run));
    const result = JSON.parse(run.stdout) as { state: string; verified: boolean; mode: string };
    expect(result).toMatchObject({ state: 'completed', verified: true });
    if (!carriedOn) expect(result.mode).toBe('resume');
    const final = await batchCounts(stack, ticket.ticketId);
    expect(atKill.received).toBeLessThan(final.received);
    expect(final.imported).toBe(final.received);
    await expectTenantEqualsSource(source.db.url, tenantUrl(ticket.tenantDatabase));
    process.stdout.write(
      `API restart: the agent ${carriedOn ? 'carried on with its retries' : 'was re-run and resumed'}\n`,
    );
  });
});
