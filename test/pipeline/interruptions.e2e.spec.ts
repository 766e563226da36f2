import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_BATCH_LIMITS, LEASE_HEADER } from '@omt/contracts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/databases';
import { createSampleDatabase } from '../../apps/agent/src/sample/sample-db';
import { PostgresSource } from '../../apps/agent/src/source/postgres-source';
import { findTable, tableSchemaOf } from '../../apps/agent/src/source/table-schema';
import { batchText } from '../../apps/agent/src/source/source-connector';
import { PipelineStack, runNode, tenantUrl } from './support/pipeline-stack';
import {
  AGENT_ENV,
  batchCounts,
  explain,
  migrateArgs as agentMigrateArgs,
  planInitArgs,
  ticketState,
  until,
} from './support/agent-run';
import { expectTenantEqualsSource } from './support/compare-tables';

/**
 * Nothing lost, nothing twice: a worker killed mid-import, an agent killed
 * mid-upload, and a batch sent again (same bytes, other bytes). Real
 * processes; needs a build and, to be quick, OMT_TEST_TEMPLATE_DB.
 */
jest.setTimeout(600_000);

/** Small batches, so there are hundreds and a kill lands between two of them. */
const BATCH_ROWS = 200;

let source: TestDatabase;
let dir: string;
let archive: string;
let plan: string;
/** The agent against the stack, from the plan file, in small batches (so a kill lands between two). */
const migrateArgs = (stack: PipelineStack, code: string, stateDir: string) =>
  agentMigrateArgs(stack.url, code, { url: source.url, archive }, { stateDir, plan, batchRows: BATCH_ROWS });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omt-e2e-int-'));
  archive = path.join(dir, 'SO_ARC');
  plan = path.join(dir, 'plan.json');
  source = await createTestDatabase('e2e_int_source');
  await createSampleDatabase({ target: source.url, archive, seed: 23, size: 'medium', problems: [] });
  const init = await runNode(planInitArgs(source.url, plan), AGENT_ENV);
  if (init.code !== 0) throw new Error(init.stderr);
});

afterAll(async () => {
  await source?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a worker killed (SIGKILL) mid-import and started again leaves no row missing and none twice', async () => {
  const stack = await PipelineStack.create('killworker');
  try {
    await stack.start('main');
    await stack.start('worker');
    const ticket = await stack.createTicket(await stack.createSalesKey());
    const agent = runNode(migrateArgs(stack, ticket.code, path.join(dir, 'state-w')), AGENT_ENV);

    const atKill = await until(async () => {
      const counts = await batchCounts(stack, ticket.ticketId);
      return counts.imported >= 5 ? counts : null;
    }, 'the first imports');
    await stack.kill('worker');
    // Down for a while: the API takes more batches (or has them all) while no worker imports.
    await until(
      async () =>
        (await batchCounts(stack, ticket.ticketId)).received > atKill.received ||
        (await ticketState(stack, ticket.ticketId)) !== 'uploading'
          ? true
          : null,
      'a batch arriving while the worker is down',
      { agent },
    );
    await stack.start('worker');

    const run = await agent;
    if (run.code !== 0) throw new Error(await explain(stack, run));
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'completed', verified: true });
    const final = await batchCounts(stack, ticket.ticketId);
    // The kill came while imports were under way, not after they were done.
    expect(atKill.imported).toBeLessThan(final.imported);
    expect(final.imported).toBe(final.received);
    await expectTenantEqualsSource(source.url, tenantUrl(ticket.tenantDatabase));
  } finally {
    await stack.close();
  }
});

it('an agent killed mid-upload resumes; a batch sent again imports once, other bytes for it are refused', async () => {
  const stack = await PipelineStack.create('killagent');
  const stateDir = path.join(dir, 'state-a');
  try {
    await stack.start('dev');
    const ticket = await stack.createTicket(await stack.createSalesKey());

    let child: import('node:child_process').ChildProcess | undefined;
    const first = runNode(migrateArgs(stack, ticket.code, stateDir), AGENT_ENV, (c) => (child = c));
    await until(
      async () => ((await batchCounts(stack, ticket.ticketId)).received >= 20 ? true : null),
      'the first batches',
    );
    child!.kill('SIGKILL');
    expect((await first).code).not.toBe(0);

    // The same batch again, as a retry after a lost answer would send it: answered as a duplicate.
    const [landed] = await queryDatabase(
      stack.database.url,
      `SELECT "tableName", sha256 FROM "BatchUpload" WHERE "ticketId" = $1 AND sequence = 0 ORDER BY rows DESC LIMIT 1`,
      [ticket.ticketId],
    );
    const tableName = String(landed!.tableName);
    const reader = new PostgresSource(source.url, 'crm7');
    let batch0: Buffer = Buffer.alloc(0);
    try {
      const table = tableSchemaOf(findTable(await reader.introspect(), tableName)!);
      // The first batch only; leaving the loop closes the stream.
      for await (const batch of reader.streamTable(table, {
        maxRows: BATCH_ROWS,
        maxBytes: DEFAULT_BATCH_LIMITS.maxBytes,
      })) {
        batch0 = batchText(batch);
        break;
      }
    } finally {
      await reader.close();
    }
    const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    expect(sha(batch0)).toBe(landed!.sha256);
    const files = await readdir(stateDir);
    const stateFile = files.find((f) => f.startsWith('enrollment-'));
    const { agentToken } = JSON.parse(await readFile(path.join(stateDir, stateFile!), 'utf8')) as {
      agentToken: string;
    };
    // The killed agent's lease is held until it lapses: these requests speak as its holder.
    const leaseFile = files.find((f) => f.startsWith('lease-'));
    const { leaseId } = JSON.parse(await readFile(path.join(stateDir, leaseFile!), 'utf8')) as { leaseId: string };
    const put = (data: Buffer) => {
      const body = gzipSync(data);
      return fetch(`${stack.url}/api/agent/tables/${encodeURIComponent(tableName)}/batches/0`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${agentToken}`,
          [LEASE_HEADER]: leaseId,
          'content-type': 'application/gzip',
          'x-omt-gzip-sha256': sha(body),
          'x-omt-sha256': sha(data),
          'x-omt-rows': String(batch0.toString('utf8').split('\n').length - 1),
          'x-omt-bytes': String(data.length),
        },
        body,
      });
    };
    const again = await put(batch0);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'duplicate', sequence: 0 });
    const altered = Buffer.from(batch0.toString('utf8').replace(/^(\d+)/, (id) => String(Number(id) + 1_000_000)));
    const conflict = await put(altered);
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ code: 'BATCH_CONFLICT' });

    // Started again with the same code: the stored token, resume mode, only what is missing. The killed
    // agent's lease (60 s) has not lapsed; this machine remembers it and its process is gone: taken over at once.
    const second = await runNode(migrateArgs(stack, ticket.code, stateDir), AGENT_ENV);
    if (second.code !== 0) throw new Error(await explain(stack, second));
    const result = JSON.parse(second.stdout) as {
      mode: string;
      state: string;
      tables: { skippedBatches: number; sentBatches: number };
    };
    expect(result).toMatchObject({ mode: 'resume', state: 'completed' });
    expect(result.tables.skippedBatches).toBeGreaterThanOrEqual(20);
    await expectTenantEqualsSource(source.url, tenantUrl(ticket.tenantDatabase));
  } finally {
    await stack.close();
  }
});
