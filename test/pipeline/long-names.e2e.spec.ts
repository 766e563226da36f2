import path from 'node:path';
import { ticketDetailSchema } from '@omt/contracts';
import { tenantIdentifier } from '@omt/copy-text';
import { queryDatabase } from '../support/databases';
import { PipelineStack, runNode, tenantUrl } from './support/pipeline-stack';
import {
  AGENT_ENV,
  agentErrorCode,
  createSampleSource,
  explain,
  migrateArgs,
  ticketState,
  type SampleSource,
} from './support/agent-run';

/**
 * Names and types at PostgreSQL's limits, migrated by the packaged agent
 * with API and worker as processes.
 *
 * A PostgreSQL source holds names of 63 bytes at most, like the tenant, so
 * it cannot stand in for SQL Server's 128-character names (those run through
 * the real API and worker in apps/ops-api/test/imports/long-names.spec.ts).
 * What it can hold, and this spec migrates: names of exactly 63 bytes in
 * two- and three-byte characters (kept as they are), columns whose declared
 * type PostgreSQL refuses (written into the source's catalog, as a SQL
 * Server declaration would arrive), and a table named like another table's
 * generated key, which the agent must refuse before it sends anything.
 */
jest.setTimeout(600_000);

/** 31 × 'æ' (2 bytes) + 'x' = 63 bytes; 21 × '表' (3 bytes) = 63 bytes: the longest names kept unchanged. */
const LATIN_63 = `${'æ'.repeat(31)}x`;
const CJK_63 = '表'.repeat(21);

let source: SampleSource;
let colliding: SampleSource;
let stack: PipelineStack;

beforeAll(async () => {
  [source, colliding] = await Promise.all([
    createSampleSource('long_names', { seed: 13 }),
    createSampleSource('name_clash', { seed: 14 }),
  ]);
  await queryDatabase(
    source.db.url,
    `CREATE TABLE crm7."${LATIN_63}" (id integer PRIMARY KEY, "${CJK_63}" text, big varchar(50), wide numeric(20,2));
     INSERT INTO crm7."${LATIN_63}" SELECT i, 'værdi ' || i, repeat('v', i % 40), i * 1.25 FROM generate_series(1, 300) i;
     CREATE TABLE crm7."${CJK_63}" (id integer PRIMARY KEY, note text);
     INSERT INTO crm7."${CJK_63}" SELECT i, 'note ' || i FROM generate_series(1, 80) i;`,
  );
  // Declarations PostgreSQL refuses (varchar past 10485760, numeric past precision 1000), written into the catalog as no DDL can.
  const table = `'crm7."${LATIN_63}"'::regclass`;
  await queryDatabase(
    source.db.url,
    `UPDATE pg_attribute SET atttypmod = 20000000 + 4 WHERE attrelid = ${table} AND attname = 'big';
     UPDATE pg_attribute SET atttypmod = ((1001 << 16) | 2) + 4 WHERE attrelid = ${table} AND attname = 'wide';`,
  );
  // `contact` has a key, whose tenant index is `contact_pkey`: a table of that name clashes with it.
  await queryDatabase(
    colliding.db.url,
    `ALTER INDEX crm7.contact_pkey RENAME TO contact_key_at_source;
     CREATE TABLE crm7.contact_pkey (id integer PRIMARY KEY);
     INSERT INTO crm7.contact_pkey VALUES (1);`,
  );
  stack = await PipelineStack.create('long_names');
  await stack.start('dev');
}, 300_000);

afterAll(async () => {
  await stack?.close();
  await source?.drop();
  await colliding?.drop();
});

const run = (of: SampleSource, code: string) =>
  runNode(
    migrateArgs(
      stack.url,
      code,
      { url: of.db.url, archive: of.archive },
      { stateDir: path.join(of.dir, `state-${code.slice(0, 4)}`) },
    ),
    AGENT_ENV,
  );

it('migrates names of 63 bytes unchanged and widens refused types: every row, verified, completed', async () => {
  const ticket = await stack.createTicket(await stack.createSalesKey());
  const agent = await run(source, ticket.code);
  if (agent.code !== 0) throw new Error(await explain(stack, agent));
  expect(JSON.parse(agent.stdout)).toMatchObject({ state: 'completed', verified: true });
  const tenant = tenantUrl(ticket.tenantDatabase);

  // PostgreSQL's catalog: the names as they were (63 bytes each), both tables with every row.
  for (const name of [LATIN_63, CJK_63]) expect(tenantIdentifier(name)).toBe(name);
  const tables = await queryDatabase(
    tenant,
    `SELECT c.relname, octet_length(c.relname) AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'crm7' AND c.relkind = 'r' AND c.relname = ANY($1) ORDER BY 1`,
    [[LATIN_63, CJK_63]],
  );
  expect(tables.map((t) => [t.relname, t.bytes])).toEqual(
    [
      [LATIN_63, 63],
      [CJK_63, 63],
    ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
  );
  const count = async (url: string, table: string) =>
    Number((await queryDatabase(url, `SELECT count(*) AS n FROM crm7."${table}"`))[0]!.n);
  expect(await count(tenant, LATIN_63)).toBe(300);
  expect(await count(tenant, CJK_63)).toBe(80);
  const rows = (url: string, table: string) =>
    queryDatabase(url, `SELECT t::text AS r FROM crm7."${table}" t ORDER BY 1`).then((r) => r.map((x) => x.r));
  expect(await rows(tenant, LATIN_63)).toEqual(await rows(source.db.url, LATIN_63));

  // The refused declarations became types that hold every value.
  const columns = await queryDatabase(
    tenant,
    `SELECT column_name, data_type, character_maximum_length, numeric_precision FROM information_schema.columns
      WHERE table_schema = 'crm7' AND table_name = $1 ORDER BY ordinal_position`,
    [LATIN_63],
  );
  expect(columns).toEqual([
    { column_name: 'id', data_type: 'integer', character_maximum_length: null, numeric_precision: 32 },
    { column_name: CJK_63, data_type: 'text', character_maximum_length: null, numeric_precision: null },
    { column_name: 'big', data_type: 'text', character_maximum_length: null, numeric_precision: null },
    { column_name: 'wide', data_type: 'numeric', character_maximum_length: null, numeric_precision: null },
  ]);

  // Ops see each table verified, stored under its own name.
  const cookie = await stack.opsSessionCookie();
  const response = await fetch(`${stack.url}/api/tickets/${ticket.ticketId}/detail`, { headers: { cookie } });
  const detail = ticketDetailSchema.parse(await response.json());
  for (const name of [LATIN_63, CJK_63]) {
    expect(detail.tables.find((t) => t.name === name)).toMatchObject({
      tenantName: name,
      renamedColumns: [],
      verified: true,
    });
  }
});

it("refuses a source whose table is named like another table's key, before anything is sent", async () => {
  const ticket = await stack.createTicket(await stack.createSalesKey());
  const agent = await run(colliding, ticket.code);
  expect(agent.code).not.toBe(0);
  expect(agentErrorCode(agent)).toBe('NAME_COLLISION');
  expect(agent.stdout).toContain('the primary key of table \\"contact\\"');
  expect(agent.stdout).toContain('table \\"contact_pkey\\"');
  // Nothing reached the API: no checks report, no table, no batch; the ticket waits as enrolled.
  expect(await ticketState(stack, ticket.ticketId)).toBe('enrolled');
  const [held] = await queryDatabase(
    stack.database.url,
    `SELECT (SELECT count(*) FROM "TableUpload" WHERE "ticketId" = $1)::int AS tables,
            (SELECT count(*) FROM "BatchUpload" WHERE "ticketId" = $1)::int AS batches,
            (SELECT "checksReport" IS NULL FROM "Ticket" WHERE id = $1) AS "noChecks"`,
    [ticket.ticketId],
  );
  expect(held).toEqual({ tables: 0, batches: 0, noChecks: true });
});
