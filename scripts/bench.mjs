// `npm run bench -- --rows <n> --documents <n> --doc-kb <n>`: builds a sample
// onsite CRM of that size, migrates it end to end with real processes (API,
// worker and agent apart, so each one's memory is its own), and measures in
// the same run what an administrator would otherwise use on the same data:
// `pg_dump --data-only | psql` for the tables, `pg_dump --section=post-data |
// psql` for their keys and indexes, `rsync -a` to an rsync daemon on
// 127.0.0.1 for the archive. Prints a table, then one JSON line.
// Static imports are Node's own and the set-up's only: `pg` and the rest exist once setup() has run.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { ROOT, bold, dim, fail, step } from './lib.mjs';
import { setup } from './setup.mjs';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    documents: { type: 'string', default: '400' },
    'doc-kb': { type: 'string', default: '768' },
    parallel: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(`npm run bench -- [--rows 1000000] [--documents 400] [--doc-kb 768] [--parallel <tables>] [--keep]

Migrates a sample of that size end to end and compares with pg_dump | psql and rsync on the same data.
--parallel is the agent's --parallel (its own default when not given).
OMT_BENCH_PROFILE=<dir> writes a CPU profile of the API, the worker and the agent to <dir>.
--keep leaves the databases and files of the run in place for a look afterwards.`);
  process.exit(0);
}
for (const name of ['rows', 'documents', 'doc-kb', 'parallel']) {
  if (flags[name] !== undefined && !/^\d+$/.test(flags[name])) fail(`--${name} must be a whole number, not "${flags[name]}".`);
}

const ADMIN_URL = process.env.OMT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MIGRATOR = ['--migrator-name', 'Bench Migrator', '--migrator-email', 'bench@example.com', '--migrator-phone', '+47 22 00 00 00'];
const run = `omt_bench_${Date.now().toString(36)}`;
const work = path.join(ROOT, '.omt/bench', run);
const urlOf = (database) => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
};
const db = { source: `${run}_source`, baseline: `${run}_baseline`, ops: `${run}_ops` };
// OMT_BENCH_PROFILE=<dir>: the API, the worker and the agent each write a V8
// CPU profile to <dir>/<name>/ when they exit (scripts/bench-profile.cjs).
const PROFILE_DIR = process.env.OMT_BENCH_PROFILE ? path.resolve(process.env.OMT_BENCH_PROFILE) : null;
const profiled = (env, name) =>
  PROFILE_DIR
    ? {
        ...env,
        NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --require ${path.join(ROOT, 'scripts/bench-profile.cjs')}`.trim(),
        OMT_BENCH_PROFILE_DIR: path.join(PROFILE_DIR, name),
      }
    : env;

async function adminQuery(sql, params = [], database = 'postgres') {
  const client = new pg.Client({ connectionString: urlOf(database) });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** CPU seconds (user + system) a process has used so far, or null when it is gone (Linux /proc). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Rows of cells as aligned columns, two spaces in, the last cell of each row as it is. */
function table(rows) {
  const widths = [];
  for (const row of rows) row.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]) : cell)).join('  ')}`.trimEnd()).join('\n');
}

const seconds = (from, to) => (new Date(to).getTime() - new Date(from).getTime()) / 1000;
const mb = (bytes) => bytes / 1024 / 1024;
const fixed = (value, digits = 2) => (value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));

await setup();
const { default: pg } = await import('pg');
const { pgDumpBaseline, pgPostDataBaseline, rsyncBaseline } = await import('./baselines.mjs');
const { AGENT_BIN, createSalesKey, freePort, freshCustomerId, openTicket, peakRss, spawnNode, startOps, stopProcess } = await import(
  './migration-run.mjs'
);
mkdirSync(work, { recursive: true });
const children = [];
let tenantDatabase = null;
async function cleanUp() {
  await Promise.all(children.map((child) => stopProcess(child)));
  if (flags.keep) return console.log(dim(`kept: databases ${run}_* and ${tenantDatabase}, files in ${work}`));
  for (const name of [...Object.values(db), tenantDatabase].filter(Boolean)) {
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
  }
  rmSync(work, { recursive: true, force: true });
}

try {
  for (const name of [db.source, db.baseline]) await adminQuery(`CREATE DATABASE "${name}"`);
  const archive = path.join(work, 'archive');

  step(`building the sample: about ${flags.rows} rows, ${flags.documents} documents of ${flags['doc-kb']} KiB…`);
  const sampleStarted = performance.now();
  const generator = spawnNode(AGENT_BIN, [
    'sample-db', '--target', urlOf(db.source), '--archive', archive,
    '--rows', flags.rows, '--documents', flags.documents, '--doc-kb', flags['doc-kb'], '--json',
  ], process.env);
  let samplePeak = 0;
  const sampleWatch = setInterval(() => (samplePeak = Math.max(samplePeak, peakRss(generator.child.pid) ?? 0)), 200);
  const sample = await generator.result;
  clearInterval(sampleWatch);
  if (sample.code !== 0) throw new Error(`sample-db failed: ${sample.stderr}`);
  const sampleSeconds = (performance.now() - sampleStarted) / 1000;
  const built = JSON.parse(sample.stdout);
  const sourceBytes = Number((await adminQuery(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
    [built.schema], db.source,
  ))[0].bytes);

  step('baseline: pg_dump --data-only | psql…');
  const pgDumpSeconds = await pgDumpBaseline(urlOf(db.source), urlOf(db.baseline), built.schema);
  step('baseline: pg_dump --section=post-data | psql (keys and indexes on the loaded copy)…');
  const postDataSeconds = await pgPostDataBaseline(urlOf(db.source), urlOf(db.baseline), built.schema);
  const [declared] = await adminQuery(
    `SELECT count(*) FILTER (WHERE i.indisprimary) AS keys, count(*) FILTER (WHERE NOT i.indisprimary) AS indexes
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`,
    [built.schema], db.source,
  );
  step('baseline: rsync -a to an rsync daemon on 127.0.0.1…');
  const rsyncSeconds = await rsyncBaseline(archive, work);

  step('starting the API and the worker (separate processes)…');
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    DATABASE_URL: urlOf(db.ops),
    REDIS_URL,
    OMT_REDIS_PREFIX: run,
    OMT_BLOB_DIR: path.join(work, 'blobs'),
    OMT_TENANT_ARCHIVE_DIR: path.join(work, 'tenant-archives'),
    OMT_DASHBOARD_ORIGIN: apiUrl,
  };
  const api = await startOps('main', profiled(env, 'api'), path.join(work, 'api.log'));
  children.push(api);
  // LOG_LEVEL info: the worker has no port to ask; its start-up line says it is ready.
  const worker = await startOps('worker', profiled({ ...env, LOG_LEVEL: 'info', OMT_MIGRATE_ON_START: 'false' }, 'worker'), path.join(work, 'worker.log'));
  children.push(worker);

  const salesKey = await createSalesKey(env);
  const { ticket, enrollmentCode } = await openTicket(apiUrl, salesKey, {
    customerId: freshCustomerId(),
    companyName: 'Benchmark AS',
    serialNumber: '0000-0000',
    environment: 'online',
    kind: 'test',
    salesRep: { name: 'Bench', email: 'bench@example.com' },
  });
  tenantDatabase = ticket.tenant.databaseName;

  step('migrating with the agent…');
  const agent = spawnNode(AGENT_BIN, [
    'migrate', '--api', apiUrl, '--code', enrollmentCode, '--source', urlOf(db.source), '--archive', archive,
    '--user', 'ADMIN', '--yes', '--json', ...MIGRATOR, ...(flags.parallel ? ['--parallel', flags.parallel] : []), '--state-dir', path.join(work, 'agent-state'),
  ], profiled({ ...env, OMT_CRM_PASSWORD: 'Admin#2026' }, 'agent'));
  const peaks = { agent: 0, api: 0, worker: 0 };
  // CPU of the migration: each process's own (the API's and the worker's
  // start-up left out), and PostgreSQL's backends serving the source, the
  // tenant and the operations database (other work on the machine is not counted).
  const cpuBefore = { agent: 0, api: cpuSeconds(api.pid) ?? 0, worker: cpuSeconds(worker.pid) ?? 0 };
  const cpu = { agent: 0, api: 0, worker: 0 };
  const backends = new Map();
  const monitor = new pg.Client({ connectionString: ADMIN_URL });
  await monitor.connect();
  let watching = Promise.resolve();
  const sampler = setInterval(() => {
    for (const [name, child] of [['agent', agent.child], ['api', api], ['worker', worker]]) {
      peaks[name] = Math.max(peaks[name], peakRss(child.pid) ?? 0);
      cpu[name] = Math.max(cpu[name], (cpuSeconds(child.pid) ?? 0) - cpuBefore[name]);
    }
    watching = watching.then(async () => {
      const { rows: pids } = await monitor.query('SELECT pid FROM pg_stat_activity WHERE datname = ANY($1)', [[db.source, db.ops, tenantDatabase]]);
      for (const { pid } of pids) {
        if (!backends.has(pid)) backends.set(pid, { first: null, last: 0 });
        const seen = backends.get(pid);
        const now = cpuSeconds(pid);
        if (now !== null) [seen.first, seen.last] = [seen.first ?? now, now];
      }
    }).catch(() => undefined);
  }, 200);
  const migrated = await agent.result;
  clearInterval(sampler);
  await watching;
  await monitor.end();
  cpu.postgres = [...backends.values()].reduce((sum, b) => sum + (b.last - (b.first ?? 0)), 0);
  if (migrated.code !== 0) throw new Error(`the migration did not complete (exit ${migrated.code}): ${migrated.stdout.slice(-2000)} ${migrated.stderr.slice(-2000)}`);
  const outcome = JSON.parse(migrated.stdout);

  // Phases from the operations database's own timestamps.
  const [times] = await adminQuery(
    `SELECT t."uploadStartedAt" AS "uploadStarted", t."uploadCompletedAt" AS "uploadCompleted",
            (SELECT max("importedAt") FROM "BatchUpload" WHERE "ticketId" = t.id) AS "lastBatchImported",
            (SELECT max("completedAt") FROM "TableUpload" WHERE "ticketId" = t.id) AS "lastTableSent",
            (SELECT max("storedAt") FROM "DocumentUpload" WHERE "ticketId" = t.id) AS "lastDocumentStored",
            (SELECT coalesce(sum(bytes), 0) FROM "DocumentUpload" WHERE "ticketId" = t.id) AS "documentBytes",
            (SELECT coalesce(sum(bytes), 0) FROM "BatchUpload" WHERE "ticketId" = t.id) AS "copyBytes",
            (SELECT count(*) FROM "BatchUpload" WHERE "ticketId" = t.id) AS "batches",
            (SELECT coalesce(sum("storedBytes"), 0) FROM "BatchUpload" WHERE "ticketId" = t.id) AS "wireBytes",
            (SELECT min(at) FROM "AuditEvent" WHERE "ticketId" = t.id AND "toState" = 'verifying') AS "verifying",
            (SELECT min(at) FROM "AuditEvent" WHERE "ticketId" = t.id AND "toState" = 'configuring') AS "configuring",
            (SELECT max(at) FROM "AuditEvent" WHERE "ticketId" = t.id AND "toState" LIKE 'completed%') AS "completed",
            t."structureStartedAt" AS "structureStarted", t."structureFinishedAt" AS "structureFinished"
       FROM "Ticket" t WHERE t.id = $1`,
    [ticket.id], db.ops,
  );
  const rows = outcome.tables?.rows ?? built.rows;
  const tablesSeconds = seconds(times.uploadStarted, times.lastBatchImported);
  const documentsSeconds = times.lastDocumentStored ? seconds(times.lastTableSent, times.lastDocumentStored) : null;
  const documentBytes = Number(times.documentBytes);
  // The structure build runs inside verification (after the load, before the checks): shown apart, and left out of verification.
  const structureSeconds = times.structureStarted && times.structureFinished ? seconds(times.structureStarted, times.structureFinished) : null;
  const verifyingSeconds = times.verifying && times.configuring ? seconds(times.verifying, times.configuring) - (structureSeconds ?? 0) : null;
  const result = {
    rows,
    tables: Object.keys(built.tables).length,
    sourceBytes,
    declaredKeys: Number(declared.keys),
    declaredIndexes: Number(declared.indexes),
    copyBytes: Number(times.copyBytes),
    batches: Number(times.batches),
    wireBytes: Number(times.wireBytes),
    documents: Number(built.archiveFiles),
    documentBytes,
    seconds: {
      tables: tablesSeconds,
      documents: documentsSeconds,
      structure: structureSeconds,
      verification: verifyingSeconds,
      configuration: times.configuring && times.completed ? seconds(times.configuring, times.completed) : null,
      total: outcome.elapsedMs / 1000,
    },
    rowsPerSecond: rows / tablesSeconds,
    documentsMBPerSecond: documentsSeconds ? mb(documentBytes) / documentsSeconds : null,
    baseline: {
      pgDumpSeconds,
      pgDumpRowsPerSecond: rows / pgDumpSeconds,
      postDataSeconds,
      rsyncSeconds,
      rsyncMBPerSecond: mb(built.archiveBytes) / rsyncSeconds,
    },
    ratio: {
      tablesVsPgDump: pgDumpSeconds / tablesSeconds,
      structureVsPostData: structureSeconds ? postDataSeconds / structureSeconds : null,
      documentsVsRsync: documentsSeconds ? rsyncSeconds / documentsSeconds : null,
    },
    peakRssMB: { agent: mb(peaks.agent), api: mb(peaks.api), worker: mb(peaks.worker), sampleGenerator: mb(samplePeak) },
    cpuSeconds: cpu,
    sampleSeconds,
    state: outcome.state,
    verified: outcome.verified,
  };

  console.log(`
${bold('omt benchmark')}  ${result.rows} rows in ${result.tables} tables (${fixed(mb(sourceBytes), 0)} MB on disk, ${fixed(mb(result.copyBytes), 0)} MB as COPY text in ${result.batches} batches, ${fixed(mb(result.wireBytes), 0)} MB gzip on the wire), ${result.documents} documents (${fixed(mb(documentBytes), 0)} MB)

${table([
    ['phase', 'omt', 'baseline', 'ratio (≥ 0.8 is the goal)'],
    ['tables', `${fixed(tablesSeconds).padStart(7)} s ${fixed(result.rowsPerSecond, 0).padStart(9)} rows/s`, `pg_dump | psql    ${fixed(pgDumpSeconds).padStart(7)} s ${fixed(result.baseline.pgDumpRowsPerSecond, 0).padStart(9)} rows/s`, fixed(result.ratio.tablesVsPgDump)],
    ['documents', `${fixed(documentsSeconds).padStart(7)} s ${fixed(result.documentsMBPerSecond, 1).padStart(9)} MB/s`, `rsync -a          ${fixed(rsyncSeconds).padStart(7)} s ${fixed(result.baseline.rsyncMBPerSecond, 1).padStart(9)} MB/s`, fixed(result.ratio.documentsVsRsync)],
    ['indexes & constraints', `${fixed(structureSeconds).padStart(7)} s ${`${result.declaredKeys} keys, ${result.declaredIndexes} indexes`}`, `pg_dump post-data ${fixed(postDataSeconds).padStart(7)} s`, fixed(result.ratio.structureVsPostData)],
    ['verification', `${fixed(result.seconds.verification).padStart(7)} s (counts, content hashes, structure compared)`],
    ['configuration', `${fixed(result.seconds.configuration).padStart(7)} s`],
    ['whole migration', `${fixed(result.seconds.total).padStart(7)} s (agent start to completed: ${result.state}, verified: ${result.verified})`],
  ])}

  peak RSS         agent ${fixed(result.peakRssMB.agent, 0)} MB · API ${fixed(result.peakRssMB.api, 0)} MB · worker ${fixed(result.peakRssMB.worker, 0)} MB
  sample built in  ${fixed(sampleSeconds, 1)} s, generator peak RSS ${fixed(mb(samplePeak), 0)} MB
  CPU seconds      agent ${fixed(cpu.agent, 1)} · API ${fixed(cpu.api, 1)} · worker ${fixed(cpu.worker, 1)} · PostgreSQL ${fixed(cpu.postgres, 1)} (whole migration; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)})
`);
  console.log(JSON.stringify(result));
} catch (error) {
  console.error(`bench failed: ${error.message}\n${dim(`logs in ${work} (kept)`)}`);
  flags.keep = true;
  process.exitCode = 1;
} finally {
  await cleanUp();
}
