import path from 'node:path';
import { PipelineStack } from '../../pipeline/support/pipeline-stack';
import type { NodeRun } from '../../pipeline/support/pipeline-stack';
import {
  batchCounts,
  createSampleSource,
  migrateArgs,
  until,
  type SampleSource,
} from '../../pipeline/support/agent-run';

/** Batches of 50 rows: a few hundred of them, so a fault lands between two and mid-upload. */
export const FAULT_BATCH_ROWS = 50;

/** Real processes, each fault waited out: a fault test takes minutes, not seconds. */
const FAULT_TEST_MS = 300_000;

/** The onsite sample of a fault test: small, with enough persons and appointments for a few hundred batches. */
export function createFaultSource(label: string, seed: number): Promise<SampleSource> {
  return createSampleSource(label, { seed, volumes: { persons: 1200, appointments: 1500 } });
}

/**
 * The set-up every fault spec file shares: its test timeout, and its onsite
 * sample made before its tests and dropped after them. Call at the top of
 * the file; the sample is there once the tests run.
 */
export function faultSpec(label: string, seed: number): () => SampleSource {
  jest.setTimeout(FAULT_TEST_MS);
  let source: SampleSource | undefined;
  beforeAll(async () => {
    source = await createFaultSource(label, seed);
  });
  afterAll(async () => {
    await source?.drop();
  });
  return () => {
    if (!source) throw new Error(`the sample of ${label} was not made (see beforeAll)`);
    return source;
  };
}

/** A stack of its own for one test (operations database, Redis prefix, folders), closed whatever the test did. */
export async function withStack<T>(label: string, body: (stack: PipelineStack) => Promise<T>): Promise<T> {
  const stack = await PipelineStack.create(label);
  try {
    return await body(stack);
  } finally {
    await stack.close();
  }
}

/**
 * The production layout on the stack (API and worker as two processes), a
 * ticket, and the agent's `migrate` arguments for it (small batches, its
 * own state folder, so a re-run with the same arguments resumes).
 */
export async function faultMigration(stack: PipelineStack, source: SampleSource, apiUrl?: string) {
  await stack.start('main');
  await stack.start('worker');
  const ticket = await stack.createTicket(await stack.createSalesKey());
  const args = migrateArgs(
    apiUrl ?? stack.url,
    ticket.code,
    { url: source.db.url, archive: source.archive },
    { stateDir: path.join(stack.dir, 'agent-state'), batchRows: FAULT_BATCH_ROWS },
  );
  return { ticket, args };
}

/**
 * Waits, while the agent runs, until the ticket's batches in the ledger
 * (arrived, imported) satisfy `enough`: the moment to inject the fault.
 * Answers the counts seen then.
 */
export function batchesReach(
  stack: PipelineStack,
  ticketId: string,
  enough: (counts: { received: number; imported: number }) => boolean,
  what: string,
  agent: Promise<NodeRun>,
): Promise<{ received: number; imported: number }> {
  return until(
    async () => {
      const counts = await batchCounts(stack, ticketId);
      return enough(counts) ? counts : null;
    },
    what,
    { agent },
  );
}
