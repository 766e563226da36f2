// Brings a fresh clone to a runnable state: dependencies, services, Prisma
// client, builds. Safe to run again: each step is skipped when already done.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleAgent } from './package-agent.mjs';
import { BIN, ROOT, bold, canConnect, commandExists, fail, newerThan, run, runOrFail, step, waitFor } from './lib.mjs';

const [major, minor] = process.versions.node.split('.').map(Number);

function checkNode() {
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node ${process.versions.node} is too old: omt needs Node 20.19 or newer (https://nodejs.org).`);
  }
}

async function installDependencies() {
  const lock = path.join(ROOT, 'package-lock.json');
  const installed = path.join(ROOT, 'node_modules/.package-lock.json');
  if (existsSync(installed) && !newerThan(lock, installed)) return;
  step('installing dependencies (npm install)…');
  // npm install rather than npm ci: the lockfile written here lacks other
  // platforms' native builds, and `npm install` follows it where it can.
  await runOrFail('npm', ['install', '--no-audit', '--no-fund'], 'npm install');
}

function serviceUrl(variable, fallback) {
  return new URL(process.env[variable] ?? fallback);
}

async function ensurePostgres() {
  const url = serviceUrl('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/omt_ops');
  const host = url.hostname;
  const port = Number(url.port || 5432);
  if (await canConnect(host, port)) return;
  const local = host === '127.0.0.1' || host === 'localhost';
  if (local && commandExists('pg_ctlcluster') && existsSync('/etc/postgresql')) {
    const version = readdirSync('/etc/postgresql')[0];
    step(`PostgreSQL is down: starting cluster ${version}/main…`);
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
    if (await waitFor(() => canConnect(host, port), 15000)) return;
  }
  fail(
    `PostgreSQL does not answer at ${host}:${port}.\n` +
      `  Start it (Debian: pg_ctlcluster <version> main start), install it (apt-get install postgresql),\n` +
      `  or run ${bold('docker compose up -d')}; or point DATABASE_URL at a server you have.`,
  );
}

async function ensureRedis() {
  const url = serviceUrl('REDIS_URL', 'redis://127.0.0.1:6379');
  const host = url.hostname;
  const port = Number(url.port || 6379);
  if (await canConnect(host, port)) return;
  const local = host === '127.0.0.1' || host === 'localhost';
  if (local && commandExists('redis-server')) {
    step('Redis is down: starting redis-server…');
    await run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no']);
    if (await waitFor(() => canConnect(host, port), 10000)) return;
  }
  fail(
    `Redis does not answer at ${host}:${port}.\n` +
      `  Install it (apt-get install redis-server) and start it, or run ${bold('docker compose up -d')};\n` +
      `  or point REDIS_URL at a server you have.`,
  );
}

async function generatePrismaClient() {
  const api = path.join(ROOT, 'apps/ops-api');
  const schema = path.join(api, 'prisma/schema.prisma');
  const generated = path.join(api, 'src/generated/prisma/client.ts');
  if (!newerThan(schema, generated)) return;
  step('generating the Prisma client…');
  await runOrFail(path.join(BIN, 'prisma'), ['generate'], 'prisma generate', {
    cwd: api,
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function build() {
  step('building (nx run-many -t build)…');
  await runOrFail(path.join(BIN, 'nx'), ['run-many', '-t', 'build', '--outputStyle=dynamic-legacy'], 'The build', {
    env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
  });
  // The agent as a migrator gets it: the demo, the benchmark and the end-to-end tests run this file.
  step('packaging the agent (dist/omt-agent.cjs)…');
  await bundleAgent().catch((error) => fail(`Packaging the agent failed: ${error.message}`));
}

export async function setup({ withBuild = true } = {}) {
  checkNode();
  await installDependencies();
  await Promise.all([ensurePostgres(), ensureRedis()]);
  await generatePrismaClient();
  if (withBuild) await build();
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await setup();
  step('ready.');
}
