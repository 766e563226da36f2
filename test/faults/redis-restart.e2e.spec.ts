import { PrivateRedis } from '../support/private-redis';
import { runNode, tenantUrl, type PipelineStack } from '../pipeline/support/pipeline-stack';
import { expectTenantEqualsSource } from '../pipeline/support/compare-tables';
import { AGENT_ENV, batchCounts, explain, ticketState, until } from '../pipeline/support/agent-run';
import { batchesReach, faultMigration, faultSpec, withStack } from './support/fault-migration';
import { queryDatabase } from '../support/databases';

/**
 * Redis killed (SIGKILL) and started again while a migration runs. The
 * ledgers in PostgreSQL are the truth; Redis holds the queued jobs. Each
 * test runs its own redis-server on a port of its own (the shared one is
 * never touched). Real API, worker and agent processes; build first.
 */
const sample = faultSpec('faults_redis', 41);

/** A stack (API and worker as two processes) on a private Redis, a ticket and the agent's arguments, for `body`. */
async function onPrivateRedis(
  label: string,
  appendonly: boolean,
  body: (
    run: { redis: PrivateRedis; stack: PipelineStack } & Awaited<ReturnType<typeof faultMigration>>,
  ) => Promise<void>,
): Promise<void> {
  const redis = await PrivateRedis.start({ appendonly });
  try {
    await withStack(label, async (stack) => {
      stack.env.REDIS_URL = redis.url;
      // The worker's sweep that queues again what Redis lost: often, so the test need not wait.
      stack.env.OMT_RECONCILE_SECONDS = '2';
      await body({ redis, stack, ...(await faultMigration(stack, sample())) });
    });
  } finally {
    await redis.stop();
  }
}

it('with AOF (production): Redis killed mid-import and started again, the queued jobs come back and the migration completes, nothing lost or twice', async () => {
  await onPrivateRedis('redis_aof', true, async ({ redis, stack, ticket, args }) => {
    const source = sample();
    const agent = runNode(args, AGENT_ENV);
    const atKill = await batchesReach(stack, ticket.ticketId, (c) => c.imported >= 5, 'the first imports', agent);
    await redis.restart();

    const run = await agent;
    if (run.code !== 0) throw new Error(await explain(stack, run));
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'completed', verified: true });
    const final = await batchCounts(stack, ticket.ticketId);
    // Redis went down while batches were still arriving and importing, not after.
    expect(atKill.received).toBeLessThan(final.received);
    expect(final.imported).toBe(final.received);
    await expectTenantEqualsSource(source.db.url, tenantUrl(ticket.tenantDatabase));
  });
});

/**
 * Without persistence a restarted Redis is empty: jobs queued for batches
 * that had arrived but were not imported yet are gone. The worker's
 * reconciler (apps/ops-api/src/worker/job-reconciler.ts) queues them
 * again from the ledgers, and the verification once they are imported.
 */
it('without persistence: Redis restarted empty mid-import, the pending imports are queued again from the ledgers', async () => {
  await onPrivateRedis('redis_empty', false, async ({ redis, stack, ticket, args }) => {
    const source = sample();
    let agent: import('node:child_process').ChildProcess | undefined;
    try {
      const run = runNode(args, AGENT_ENV, (child) => (agent = child));
      await batchesReach(
        stack,
        ticket.ticketId,
        (c) => c.received - c.imported >= 3 && c.imported >= 3,
        'batches waiting for their import',
        run,
      );
      await redis.restart();

      // Every batch arrives (the agent's later requests queue into the new Redis) and the upload completes…
      await until(
        async () => {
          const [row] = await queryDatabase(
            stack.database.url,
            'SELECT "uploadCompletedAt" FROM "Ticket" WHERE id = $1',
            [ticket.ticketId],
          );
          return row?.uploadCompletedAt ? true : null;
        },
        'upload/complete',
        { agent: run },
      );
      // …then each batch must be imported and the ticket must move on, whatever Redis forgot.
      await until(
        async () => {
          const counts = await batchCounts(stack, ticket.ticketId);
          return counts.imported === counts.received ? true : null;
        },
        'every arrived batch imported',
        { timeoutMs: 30_000 },
      );
      const finished = await until(
        async () =>
          ['completed', 'failed', 'verification_failed'].includes(await ticketState(stack, ticket.ticketId))
            ? true
            : null,
        'the outcome',
        { timeoutMs: 60_000 },
      );
      expect(finished).toBe(true);
      expect(await ticketState(stack, ticket.ticketId)).toBe('completed');
      const result = await run;
      if (result.code !== 0) throw new Error(await explain(stack, result));
      await expectTenantEqualsSource(source.db.url, tenantUrl(ticket.tenantDatabase));
    } finally {
      agent?.kill('SIGKILL');
    }
  });
});
