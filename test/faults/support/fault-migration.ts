import path from 'node:path';
import type { PipelineStack } from '../../pipeline/support/pipeline-stack';
import { createSampleSource, migrateArgs, type SampleSource } from '../../pipeline/support/agent-run';

/** Batches of 50 rows: a few hundred of them, so a fault lands between two and mid-upload. */
export const FAULT_BATCH_ROWS = 50;

/** The onsite sample of a fault test: small, with enough persons and appointments for a few hundred batches. */
export function createFaultSource(label: string, seed: number): Promise<SampleSource> {
  return createSampleSource(label, { seed, volumes: { persons: 1200, appointments: 1500 } });
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
