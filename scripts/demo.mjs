// `npm run demo`: sets everything up, starts the API, the worker and the
// dashboard (one process), builds the built-in sample onsite CRM, opens a
// ticket as the sales system would and runs the agent headless against it:
// a whole migration, watched live on the dashboard. Then keeps running.
//   --once         exit when the migration ends: 0 only if it completed
//   --size <size>  small, medium (default) or large sample
// Static imports are Node's own and the set-up's only: on a fresh clone this
// is the first command, and `pg` and the rest exist once setup() has run.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, bold, dim, fail, green, red, step } from './lib.mjs';
import { setup } from './setup.mjs';
import { DEMO_DIR, DEMO_PG_URL, demoDatabaseUrl as databaseUrl, demoEnvironment } from './demo-env.mjs';

const { values: flags } = parseArgs({
  options: { once: { type: 'boolean', default: false }, size: { type: 'string', default: 'medium' } },
});
if (!['small', 'medium', 'large'].includes(flags.size)) fail(`--size must be small, medium or large, not "${flags.size}".`);

await setup();
const { default: pg } = await import('pg');
const { AGENT_BIN, createSalesKey, freePort, freshCustomerId, openTicket, spawnNode, startOps, stopProcess } = await import('./migration-run.mjs');

mkdirSync(DEMO_DIR, { recursive: true });
const port = await freePort(Number(process.env.PORT ?? 3000));
const url = `http://127.0.0.1:${port}`;
const env = { ...demoEnvironment(), PORT: String(port), HOST: '127.0.0.1', OMT_DASHBOARD_ORIGIN: url };

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

// `npm run ops` finds this database by itself unless the demo was pointed elsewhere.
const defaultOps = !process.env.DATABASE_URL && !process.env.OMT_DEMO_DATABASE && !process.env.OMT_DEMO_PG_URL;
const opsCommand = `${defaultOps ? '' : `DATABASE_URL='${env.DATABASE_URL}' `}npm run ops -- keys create --role sales --name "…"`;
console.log(`
${green('✓')} ${bold('omt is running')}
  dashboard     ${url}/
  API           ${url}/api
  API docs      ${url}/api/docs
  health        ${url}/api/health
  worker        in the same process (queues omt-import, omt-verify, omt-configure)
  ops login     ${env.OMT_ADMIN_EMAIL} / ${process.env.OMT_ADMIN_PASSWORD ? '(your OMT_ADMIN_PASSWORD)' : env.OMT_ADMIN_PASSWORD}
  admin CLI     ${opsCommand}
${dim(`  operations database ${env.DATABASE_URL}, Redis ${env.REDIS_URL} (prefix ${env.OMT_REDIS_PREFIX})`)}
`);

// The onsite side: the built-in sample CRM in its own database, and its archive.
const onsite = 'omt_demo_onsite';
const admin = new pg.Client({ connectionString: DEMO_PG_URL });
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
