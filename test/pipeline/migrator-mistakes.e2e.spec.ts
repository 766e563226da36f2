import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PG_ADMIN_URL, queryDatabase } from '../support/databases';
import { SAMPLE_ADMIN_LOGIN } from '../../apps/agent/src/sample/sample-users';
import { AGENT_BIN, PipelineStack, runNode, tenantUrl } from './support/pipeline-stack';
import {
  AGENT_ENV,
  agentErrorCode,
  batchCounts,
  createSampleSource,
  explain,
  migrateArgs,
  ticketState,
  type SampleSource,
  until,
} from './support/agent-run';

/**
 * Issue 14: what a migrator meets when the onsite database has columns omt
 * cannot carry, and when operations cancel the ticket. Real API and agent
 * processes; needs a build.
 */
jest.setTimeout(300_000);

/** Columns the PostgreSQL connector cannot carry, in several tables: a text search vector, geometry, a range, a composite. */
const UNSUPPORTED = [
  'y_search.body (tsvector)',
  'y_search.spot (point)',
  'y_booking.during (int4range)',
  'y_booking.price (crm7.y_amount)',
];

let source: SampleSource;
let stack: PipelineStack;

beforeAll(async () => {
  source = await createSampleSource('mistakes', { seed: 14 });
  for (const sql of [
    'CREATE TYPE crm7.y_amount AS (value numeric(12,2), currency char(3))',
    'CREATE TABLE crm7.y_search (id integer PRIMARY KEY, body tsvector, spot point)',
    "INSERT INTO crm7.y_search VALUES (1, to_tsvector('simple', 'nordlys offer'), point(59.9, 10.7))",
    'CREATE TABLE crm7.y_booking (id integer PRIMARY KEY, during int4range, price crm7.y_amount, note text)',
    "INSERT INTO crm7.y_booking VALUES (1, int4range(1, 5), ROW(10.50, 'NOK'), 'kept')",
  ])
    await queryDatabase(source.db.url, sql);
  stack = await PipelineStack.create('mistakes');
  await stack.start('dev');
});

afterAll(async () => {
  await stack?.close();
  await source?.drop();
});

it('check lists every column it cannot migrate, with its table and type, as one blocking finding', async () => {
  const args = ['check', '--source', source.db.url, '--archive', source.archive, '--user', SAMPLE_ADMIN_LOGIN];
  const human = await runNode([AGENT_BIN, ...args], AGENT_ENV);
  expect(human.code).toBe(2);
  expect(human.stdout).toMatch(/BLOCK Every column has a type omt can migrate \[columns-unsupported\]/);
  for (const column of UNSUPPORTED) expect(human.stdout).toContain(column);
  expect(human.stdout).not.toMatch(/y_booking\.note|y_search\.id/);

  const json = await runNode([AGENT_BIN, ...args, '--json'], AGENT_ENV);
  const finding = (
    JSON.parse(json.stdout) as { report: { results: Array<{ id: string; subjects: string[] }> } }
  ).report.results.find((r) => r.id === 'columns-unsupported');
  expect(finding?.subjects.sort()).toEqual([...UNSUPPORTED].sort());
});

it('migrate with an empty archive folder stops before the checks, the plan and the upload', async () => {
  const ticket = await stack.createTicket(await stack.createSalesKey());
  const empty = path.join(source.dir, 'empty-SO_ARC');
  await mkdir(empty);
  const args = migrateArgs(
    stack.url,
    ticket.code,
    { url: source.db.url, archive: empty },
    { stateDir: path.join(source.dir, 'state-empty') },
  );
  const run = await runNode(args, AGENT_ENV);
  if (agentErrorCode(run) !== 'ARCHIVE_UNUSABLE') throw new Error(await explain(stack, run));
  expect(run.code).toBe(1);
  // Enrolled, and nothing more: no check report, no plan, no batch.
  expect(await ticketState(stack, ticket.ticketId)).toBe('enrolled');
  const actions = await queryDatabase(stack.database.url, 'SELECT action FROM "AuditEvent" WHERE "ticketId" = $1', [
    ticket.ticketId,
  ]);
  expect(actions.map((a) => a.action)).not.toEqual(expect.arrayContaining(['checks.stored']));
  expect(actions.map((a) => a.action)).not.toEqual(expect.arrayContaining(['plan.stored']));
  expect(await batchCounts(stack, ticket.ticketId)).toEqual({ received: 0, imported: 0 });
});

it('migrate stops at the checks with nothing uploaded; a cancelled ticket is then reported with the reason operations gave', async () => {
  const ticket = await stack.createTicket(await stack.createSalesKey());
  const stateDir = path.join(source.dir, 'state');
  const args = migrateArgs(stack.url, ticket.code, { url: source.db.url, archive: source.archive }, { stateDir });
  const blocked = await runNode(args, AGENT_ENV);
  if (agentErrorCode(blocked) !== 'CHECKS_BLOCKING') throw new Error(await explain(stack, blocked));
  expect(blocked.code).toBe(1);
  const error = (JSON.parse(blocked.stdout) as { error: { details: Array<{ path: string; message: string }> } }).error;
  const detail = error.details.find((d) => d.path === 'columns-unsupported');
  for (const column of UNSUPPORTED) expect(detail?.message).toContain(column);

  // The API's own records: the report was stored, nothing else; the tenant holds no table.
  expect(await ticketState(stack, ticket.ticketId)).toBe('checks_failed');
  expect(await batchCounts(stack, ticket.ticketId)).toEqual({ received: 0, imported: 0 });
  const tenantExists = await queryDatabase(PG_ADMIN_URL, 'SELECT 1 FROM pg_database WHERE datname = $1', [
    ticket.tenantDatabase,
  ]);
  if (tenantExists.length > 0) {
    const tables = await queryDatabase(
      tenantUrl(ticket.tenantDatabase),
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    );
    expect(tables[0]!.n).toBe(0);
  }

  // Operations cancel the ticket with a reason; the agent, started again, says so in words.
  const reason = 'The customer moves the migration to May';
  expect(await cancelAsOps(ticket.ticketId, reason)).toBe(200);
  const human = await runNode(
    args.filter((a) => a !== '--json'),
    AGENT_ENV,
  );
  expect(human.code).toBe(1);
  expect(human.stdout).toContain(`Operations cancelled the migration of`);
  expect(human.stdout).toContain(`their reason: "${reason}"`);
  expect(human.stdout).toMatch(/contact operations before starting again/);
  expect(human.stderr).not.toMatch(/\n\s+at /); // no stack trace
  const json = await runNode(args, AGENT_ENV);
  expect(JSON.parse(json.stdout)).toMatchObject({ state: 'cancelled', reason });
});

it('a ticket cancelled while the agent uploads ends the run with the reason operations gave, not the API refusing a batch', async () => {
  for (const sql of ['DROP TABLE crm7.y_search', 'DROP TABLE crm7.y_booking', 'DROP TYPE crm7.y_amount'])
    await queryDatabase(source.db.url, sql);
  const ticket = await stack.createTicket(await stack.createSalesKey());
  const args = migrateArgs(
    stack.url,
    ticket.code,
    { url: source.db.url, archive: source.archive },
    { stateDir: path.join(source.dir, 'state-cancel'), batchRows: 10 },
  );
  const run = runNode(args, AGENT_ENV);
  await until(
    async () => ((await batchCounts(stack, ticket.ticketId)).received > 0 ? true : null),
    'the first batch to arrive',
    { agent: run },
  );
  const reason = 'Wrong customer database';
  expect(await cancelAsOps(ticket.ticketId, reason)).toBe(200);
  const ended = await run;
  if (ended.code !== 1) throw new Error(await explain(stack, ended));
  expect(JSON.parse(ended.stdout)).toMatchObject({ state: 'cancelled', reason });
  // The cancellation met the upload itself (a batch refused), not the wait after it.
  const states = await queryDatabase(
    stack.database.url,
    'SELECT "toState" FROM "AuditEvent" WHERE "ticketId" = $1 AND "toState" IS NOT NULL ORDER BY id',
    [ticket.ticketId],
  );
  expect(states.map((r) => r.toState)).toEqual(['created', 'enrolled', 'ready', 'uploading', 'cancelled']);
});

/** POST /api/tickets/:id/cancel as an ops user made with the operations CLI, as the dashboard does. */
async function cancelAsOps(ticketId: string, reason: string): Promise<number> {
  const cookie = await stack.opsSessionCookie();
  const cancelled = await fetch(`${stack.url}/api/tickets/${ticketId}/cancel`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ reason }),
  });
  return cancelled.status;
}
