// `npm run demo`: sets everything up, starts the API, the worker and the
// dashboard (one process), builds the built-in sample onsite CRM, opens a
// ticket as the sales system would and runs the agent headless against it:
// a whole migration, watched live on the dashboard. Then keeps running.
//   --once         exit when the migration ends: 0 only if it completed
//   --size <size>  small, medium (default) or large sample
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ROOT, bold, dim, fail, green, red, step } from './lib.mjs';
import { setup } from './setup.mjs';
import { AGENT_BIN, createSalesKey, freePort, freshCustomerId, openTicket, spawnNode, startOps, stopProcess } from './migration-run.mjs';

const { values: flags } = parseArgs({
  options: { once: { type: 'boolean', default: false }, size: { type: 'string', default: 'medium' } },
});
if (!['small', 'medium', 'large'].includes(flags.size)) fail(`--size must be small, medium or large, not "${flags.size}".`);

const DEMO_DIR = path.join(ROOT, '.omt/demo');
const PG_URL = process.env.OMT_DEMO_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseUrl = (name) => Object.assign(new URL(PG_URL), { pathname: `/${name}` }).toString();

await setup();
mkdirSync(DEMO_DIR, { recursive: true });
const port = await freePort(Number(process.env.PORT ?? 3000));
const url = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  PORT: String(port),
  HOST: '127.0.0.1',
  DATABASE_URL: process.env.DATABASE_URL ?? databaseUrl('omt_demo'),
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  OMT_REDIS_PREFIX: process.env.OMT_REDIS_PREFIX ?? 'omt-demo',
  OMT_BLOB_DIR: process.env.OMT_BLOB_DIR ?? path.join(DEMO_DIR, 'blobs'),
  OMT_TENANT_ARCHIVE_DIR: process.env.OMT_TENANT_ARCHIVE_DIR ?? path.join(DEMO_DIR, 'tenant-archives'),
  OMT_DASHBOARD_ORIGIN: url,
  // A known local login for the demo only (created on first start while no admin exists).
  OMT_ADMIN_EMAIL: process.env.OMT_ADMIN_EMAIL ?? 'admin@omt.local',
  OMT_ADMIN_PASSWORD: process.env.OMT_ADMIN_PASSWORD ?? 'omt-demo-admin',
};

const logFile = path.join(DEMO_DIR, 'ops-api.log');
step(`starting the API, worker and dashboard (logs: ${path.relative(ROOT, logFile)})…`);
let server;
try {
  server = await startOps('dev', env, logFile);
} catch (error) {
  fail(error.message);
}
server.on('exit', (code) => {
  if (!stopping) fail(`The API process stopped (exit code ${code}); see ${logFile}.`);
});
let stopping = false;
async function stop(code) {
  stopping = true;
  await stopProcess(server);
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

console.log(`
${green('✓')} ${bold('omt is running')}
  dashboard     ${url}/
  API           ${url}/api
  API docs      ${url}/api/docs
  health        ${url}/api/health
  worker        in the same process (queues omt-import, omt-verify, omt-configure)
  ops login     ${env.OMT_ADMIN_EMAIL} / ${process.env.OMT_ADMIN_PASSWORD ? '(your OMT_ADMIN_PASSWORD)' : env.OMT_ADMIN_PASSWORD}
${dim(`  operations database ${env.DATABASE_URL}, Redis ${env.REDIS_URL} (prefix ${env.OMT_REDIS_PREFIX})`)}
`);

// The onsite side: the built-in sample CRM in its own database, and its archive.
const onsite = 'omt_demo_onsite';
const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [onsite])).rowCount === 0) await admin.query(`CREATE DATABASE ${onsite}`);
await admin.end();
const archive = path.join(DEMO_DIR, 'onsite-archive');
step(`building the ${flags.size} sample onsite CRM (${onsite}, archive ${path.relative(ROOT, archive)})…`);
const sample = await spawnNode(AGENT_BIN, ['sample-db', '--target', databaseUrl(onsite), '--archive', archive, '--size', flags.size], env).result;
if (sample.code !== 0) fail(`sample-db failed: ${sample.stderr}`);
console.log(dim(sample.stdout.trim()));

step('opening a test-migration ticket as the sales system…');
const salesKey = await createSalesKey(env);
const request = (customerId) => ({
  customerId,
  companyName: 'Demo Industries AS',
  serialNumber: '4021-7788',
  environment: 'online',
  kind: 'test',
  salesRep: { name: 'Demo Seller', email: 'seller@example.com' },
});
// One demo customer, so each run starts from its emptied tenant instead of adding one;
// while an earlier run's ticket is still open, this run takes a customer of its own.
const { ticket, enrollmentCode } = await openTicket(url, salesKey, request('Cust1000001')).catch((error) => {
  if (!/TICKET_ALREADY_OPEN/.test(error.message)) throw error;
  return openTicket(url, salesKey, request(freshCustomerId()));
});
console.log(`  ticket ${ticket.customerId} → ${url}/tickets/${ticket.id}`);

step('running the agent headless: omt-agent migrate --yes …');
const agent = spawnNode(
  AGENT_BIN,
  [
    'migrate', '--api', url, '--code', enrollmentCode, '--source', databaseUrl(onsite), '--archive', archive, '--user', 'ADMIN', '--yes',
    '--migrator-name', 'Demo Migrator', '--migrator-email', 'migrator@example.com', '--migrator-phone', '+47 22 00 00 00',
    '--state-dir', path.join(DEMO_DIR, 'agent-state'),
  ],
  { ...env, OMT_CRM_PASSWORD: 'Admin#2026' },
  { onStderr: (chunk) => process.stderr.write(chunk) },
);
const migrated = await agent.result;
process.stdout.write(migrated.stdout);
const completed = migrated.code === 0;
console.log(
  completed
    ? `\n${green('✓')} ${bold('migration completed and verified')}: ${url}/tickets/${ticket.id}`
    : `\n${red('✗')} ${bold(`the migration did not complete (agent exit ${migrated.code})`)}: ${url}/tickets/${ticket.id}`,
);

if (flags.once) await stop(completed ? 0 : 1);
else console.log(dim('The dashboard keeps running. Press Ctrl-C to stop.'));
