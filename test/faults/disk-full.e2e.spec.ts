import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { queryDatabase } from '../support/databases';
import { SmallFilesystem } from '../support/small-filesystem';
import { runNode, tenantUrl, type PipelineStack } from '../pipeline/support/pipeline-stack';
import { expectTenantEqualsSource } from '../pipeline/support/compare-tables';
import { AGENT_ENV, agentErrorCode, batchCounts, explain } from '../pipeline/support/agent-run';
import { batchesReach, faultMigration, faultSpec, withStack } from './support/fault-migration';

/**
 * The blob store's disk fills up mid-upload: OMT_BLOB_DIR is a tmpfs of a
 * few MB that the test fills to the last byte, then frees. Real processes;
 * build first. Needs root for the mount (skipped with a notice otherwise).
 */
const sample = faultSpec('faults_disk', 53);

it('the blob store full: STORAGE_FULL (507), no half-written blob recorded, and once space is freed the re-run completes', async () => {
  await withStack('disk_full', async (stack) => {
    const disk = await SmallFilesystem.mount(stack.env.OMT_BLOB_DIR!, 16);
    if (!disk) {
      process.stdout.write('disk-full test skipped: mounting a tmpfs needs root (CAP_SYS_ADMIN)\n');
      return;
    }
    try {
      const source = sample();
      const { ticket, args } = await faultMigration(stack, source);
      const first = runNode(args, AGENT_ENV);
      await batchesReach(stack, ticket.ticketId, (c) => c.received >= 5, 'the first batches', first);
      await disk.fill();

      // The agent retries (507 is a server-side condition) and then stops with the code, not a crash.
      const stopped = await first;
      expect(stopped.code).not.toBe(0);
      if (agentErrorCode(stopped) !== 'STORAGE_FULL') throw new Error(await explain(stack, stopped));
      expect(await stack.logTail(400)).toMatch(/"statusCode":507/);
      await expectEveryRecordedBlobWhole(stack, ticket.ticketId);

      await disk.free();
      const resumed = await runNode(args, AGENT_ENV);
      if (resumed.code !== 0) throw new Error(await explain(stack, resumed));
      expect(JSON.parse(resumed.stdout)).toMatchObject({ mode: 'resume', state: 'completed', verified: true });
      const final = await batchCounts(stack, ticket.ticketId);
      expect(final.imported).toBe(final.received);
      await expectTenantEqualsSource(source.db.url, tenantUrl(ticket.tenantDatabase));
    } finally {
      await disk.unmount();
    }
  });
});

/** Every batch in the ledger has its blob, whole (its gzip inflates to the recorded sha256), and no partial file is left. */
async function expectEveryRecordedBlobWhole(stack: PipelineStack, ticketId: string): Promise<void> {
  const recorded = await queryDatabase(
    stack.database.url,
    'SELECT "blobKey", sha256 FROM "BatchUpload" WHERE "ticketId" = $1',
    [ticketId],
  );
  expect(recorded.length).toBeGreaterThanOrEqual(5);
  for (const { blobKey, sha256 } of recorded) {
    const gzip = await readFile(path.join(stack.env.OMT_BLOB_DIR!, ...String(blobKey).split('/')));
    expect(createHash('sha256').update(gunzipSync(gzip)).digest('hex')).toBe(sha256);
  }
  const files = await readdir(stack.env.OMT_BLOB_DIR!, { recursive: true });
  expect(files.filter((f) => f.endsWith('.part'))).toEqual([]);
}
