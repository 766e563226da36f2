import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { eventually } from '../support/eventually';
import { leaseRemainingMs } from '../support/ticket-lease';
import { PipelineStack, runNode, type NodeRun } from './support/pipeline-stack';
import {
  AGENT_ENV,
  agentErrorCode,
  batchCounts,
  createSampleSource,
  explain,
  migrateArgs,
  until,
  type SampleSource,
} from './support/agent-run';

/**
 * One agent per ticket, with the packaged agent as migrators run it: a
 * second process on the ticket is refused naming the first, and an agent
 * killed without a word (SIGKILL) blocks the next run no longer than its
 * lease. Needs a build (`npm run build`).
 */
jest.setTimeout(600_000);

/** Short, so the lapse after a kill is waited for in seconds. */
const LEASE_SECONDS = 6;
/** Small batches: the upload lasts long enough for a second agent to meet the first. */
const BATCH_ROWS = 25;

let source: SampleSource;
let stack: PipelineStack;

beforeAll(async () => {
  source = await createSampleSource('lease', { seed: 31 });
  stack = await PipelineStack.create('lease');
  stack.env.OMT_AGENT_LEASE_SECONDS = String(LEASE_SECONDS);
  await stack.start('dev');
});

afterAll(async () => {
  await stack?.close();
  await source?.drop();
});

const migrate = (code: string, stateDir: string, onStart?: (child: ChildProcess) => void): Promise<NodeRun> =>
  runNode(
    migrateArgs(stack.url, code, { url: source.db.url, archive: source.archive }, { stateDir, batchRows: BATCH_ROWS }),
    AGENT_ENV,
    onStart,
  );

/** The error a `--json` run ended with. */
const errorOf = (run: NodeRun) => (JSON.parse(run.stdout) as { error: { code: string; message: string } }).error;

it('refuses a second agent on the ticket, naming the first; the first finishes, and a run after that is told it is done', async () => {
  const ticket = await stack.createTicket(await stack.createSalesKey());
  const stateDir = path.join(source.dir, 'state-two');
  let firstChild: ChildProcess | undefined;
  const first = migrate(ticket.code, stateDir, (child) => (firstChild = child));
  await until(
    async () => ((await batchCounts(stack, ticket.ticketId)).received >= 3 ? true : null),
    'the first batches',
    { agent: first },
  );

  // The same command again on the same machine (its stored token), while the first works.
  const second = await migrate(ticket.code, stateDir);
  expect(second.code).not.toBe(0);
  expect(agentErrorCode(second)).toBe('TICKET_LEASED');
  const { message } = errorOf(second);
  expect(message).toContain(`process ${firstChild!.pid} on ${hostname()}`);
  expect(message).toMatch(/since \d{4}-\d\d-\d\dT/);
  expect(message).toMatch(/lapses at \d{4}-\d\d-\d\dT/);

  const run = await first;
  if (run.code !== 0) throw new Error(await explain(stack, run));
  expect(JSON.parse(run.stdout)).toMatchObject({ state: 'completed', verified: true });
  // Released on exit: nothing of the lease is left in the state folder.
  expect((await readdir(stateDir)).filter((f) => f.startsWith('lease-'))).toEqual([]);

  // The completed ticket ended the agent's access: a run now says so and succeeds.
  const after = await migrate(ticket.code, stateDir);
  expect(after.code).toBe(0);
  expect(JSON.parse(after.stdout)).toEqual({ mode: 'done', state: 'completed', alreadyCompleted: true });
});

it("lets the next run proceed once a SIGKILLed agent's lease has lapsed, and not before", async () => {
  const ticket = await stack.createTicket(await stack.createSalesKey());
  const stateDir = path.join(source.dir, 'state-killed');
  let child: ChildProcess | undefined;
  const killed = migrate(ticket.code, stateDir, (c) => (child = c));
  await until(
    async () => ((await batchCounts(stack, ticket.ticketId)).received >= 3 ? true : null),
    'the first batches',
    { agent: killed },
  );
  child!.kill('SIGKILL');
  expect((await killed).code).not.toBe(0);

  // Another folder with the same token (a migrator who copied it elsewhere) does not remember the lease:
  // refused while it has not lapsed, naming the dead process.
  const elsewhere = path.join(source.dir, 'state-elsewhere');
  await mkdir(elsewhere, { recursive: true });
  const [enrollment] = (await readdir(stateDir)).filter((f) => f.startsWith('enrollment-'));
  await copyFile(path.join(stateDir, enrollment!), path.join(elsewhere, enrollment!));
  const early = await migrate(ticket.code, elsewhere);
  expect(agentErrorCode(early)).toBe('TICKET_LEASED');
  expect(errorOf(early).message).toContain(`process ${child!.pid}`);

  // The killed agent's lease lapses by itself (Redis expires it), and only then the run from elsewhere may go.
  await eventually(() => leaseRemainingMs(stack.env.REDIS_URL!, stack.env.OMT_REDIS_PREFIX!, ticket.ticketId), {
    what: "the killed agent's lease to lapse",
    until: (ms) => ms === null,
    timeoutMs: LEASE_SECONDS * 1000 + 5_000,
  });
  const next = await migrate(ticket.code, elsewhere);
  if (next.code !== 0) throw new Error(await explain(stack, next));
  expect(JSON.parse(next.stdout)).toMatchObject({ mode: 'resume', state: 'completed', verified: true });
});
