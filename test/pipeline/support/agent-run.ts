import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../../support/databases';
import { eventually } from '../../support/eventually';
import { createSampleDatabase } from '../../../apps/agent/src/sample/sample-db';
import type { SampleProblem, SampleVolumes } from '../../../apps/agent/src/sample/sample-options';
import { SAMPLE_ADMIN_LOGIN, SAMPLE_ADMIN_PASSWORD } from '../../../apps/agent/src/sample/sample-users';
import { AGENT_BIN, type NodeRun, type PipelineStack } from './pipeline-stack';

/** What the agent process needs besides its flags: the CRM password, as a real run passes it. */
export const AGENT_ENV: NodeJS.ProcessEnv = { PATH: process.env.PATH, OMT_CRM_PASSWORD: SAMPLE_ADMIN_PASSWORD };

/** A sample onsite CRM (database + archive) in a folder of its own, for the agents of one spec file. */
export interface SampleSource {
  db: TestDatabase;
  archive: string;
  dir: string;
  drop(): Promise<void>;
}

export async function createSampleSource(
  label: string,
  options: { seed: number; size?: 'small' | 'medium'; volumes?: Partial<SampleVolumes>; problems?: SampleProblem[] },
): Promise<SampleSource> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `omt-e2e-${label}-`));
  const archive = path.join(dir, 'SO_ARC');
  const db = await createTestDatabase(`${label}_source`);
  await createSampleDatabase({
    target: db.url,
    archive,
    seed: options.seed,
    size: options.size ?? 'small',
    problems: options.problems ?? [],
    volumes: options.volumes,
  });
  return {
    db,
    archive,
    dir,
    drop: async () => {
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The migrator's contact, which a starting plan needs. */
const MIGRATOR_FLAGS = [
  '--migrator-name',
  'Mia Migrator',
  '--migrator-email',
  'mia@example.com',
  '--migrator-phone',
  '+47 22 33 44 55',
];

/** `omt-agent plan init`: the starting plan of a source, written to `out`. */
export function planInitArgs(sourceUrl: string, out: string): string[] {
  return [AGENT_BIN, 'plan', 'init', '--source', sourceUrl, '--out', out, ...MIGRATOR_FLAGS];
}

/** `omt-agent migrate` headless: the starting plan, JSON out, small batches when asked (so a fault lands between two). */
export function migrateArgs(
  apiUrl: string,
  code: string,
  source: { url: string; archive: string },
  options: { stateDir: string; batchRows?: number; batchBytes?: number; plan?: string },
): string[] {
  return [
    AGENT_BIN,
    'migrate',
    '--api',
    apiUrl,
    '--code',
    code,
    '--source',
    source.url,
    '--archive',
    source.archive,
    '--user',
    SAMPLE_ADMIN_LOGIN,
    '--yes',
    '--json',
    '--state-dir',
    options.stateDir,
    ...MIGRATOR_FLAGS,
    ...(options.plan ? ['--plan', options.plan] : []),
    ...(options.batchRows ? ['--batch-rows', String(options.batchRows)] : []),
    ...(options.batchBytes ? ['--batch-bytes', String(options.batchBytes)] : []),
  ];
}

/** An agent run that went wrong, with what it and the stack said, for the test's failure message. */
export async function explain(stack: PipelineStack, run: NodeRun): Promise<string> {
  return `agent exit ${run.code}\n--- stdout\n${run.stdout.slice(-3000)}\n--- stderr\n${run.stderr.slice(-3000)}\n--- stack log\n${await stack.logTail(20)}`;
}

/** The code of the error a `--json` agent run ended with (`{ "error": { code } }` on stdout), or null. */
export function agentErrorCode(run: NodeRun): string | null {
  try {
    return (JSON.parse(run.stdout) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
}

/** Batches of a ticket in the API's ledger: arrived, and imported into the tenant. */
export async function batchCounts(
  stack: PipelineStack,
  ticketId: string,
): Promise<{ received: number; imported: number }> {
  const [row] = await queryDatabase(
    stack.database.url,
    'SELECT count(*)::int AS received, count("importedAt")::int AS imported FROM "BatchUpload" WHERE "ticketId" = $1',
    [ticketId],
  );
  return { received: Number(row!.received), imported: Number(row!.imported) };
}

export async function ticketState(stack: PipelineStack, ticketId: string): Promise<string> {
  const [row] = await queryDatabase(stack.database.url, 'SELECT state FROM "Ticket" WHERE id = $1', [ticketId]);
  return String(row?.state);
}

/**
 * eventually() for a wait beside a running agent: `probe` until it gives a
 * value (not null). With `agent`, an agent run that ends first fails the
 * wait at once, with its output.
 */
export async function until<T>(
  probe: () => Promise<T | null>,
  what: string,
  options: { timeoutMs?: number; agent?: Promise<NodeRun> } = {},
): Promise<T> {
  let ended: NodeRun | null = null;
  void options.agent?.then((run) => (ended = run));
  return eventually(probe, {
    what,
    timeoutMs: options.timeoutMs ?? 120_000,
    intervalMs: 25,
    until: (value) => value !== null,
    stopIf: () => ended && agentEnded(ended),
  }) as Promise<T>;
}

/** Why a wait beside an agent run cannot succeed any more: the run ended, with its output. */
function agentEnded(run: NodeRun): string {
  return `the agent ended: exit ${run.code}\n${run.stdout.slice(-2000)}${run.stderr.slice(-2000)}`;
}

/**
 * The peak resident memory (VmHWM, KiB) a child process reaches, read from
 * /proc while it runs (Linux): call `stop` once it has ended. The mark only
 * grows, so a read every few milliseconds misses nothing but a last spike.
 */
export function watchPeakRss(pid: number, everyMs = 20): { stop(): number } {
  let peak = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kib);
    } catch {
      // gone: the last read stands
    }
  };
  const timer = setInterval(read, everyMs);
  read();
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
