// `npm run demo`: sets everything up, starts the API, the worker and the
// dashboard (one process), and prints where to find them.
//   --once   exit once everything answers (a smoke test for CI and new machines)
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT, bold, dim, fail, green, step, waitFor } from './lib.mjs';
import { setup } from './setup.mjs';

const once = process.argv.includes('--once');
const DEMO_DIR = path.join(ROOT, '.omt/demo');

function freePort(preferred) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => {
      const fallback = net.createServer();
      fallback.listen(0, '127.0.0.1', () => {
        const { port } = fallback.address();
        fallback.close(() => resolve(port));
      });
    });
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(preferred)));
  });
}

async function healthy(url) {
  try {
    const response = await fetch(`${url}/api/health`);
    return response.status === 200;
  } catch {
    return false;
  }
}

await setup();
mkdirSync(DEMO_DIR, { recursive: true });
const port = await freePort(Number(process.env.PORT ?? 3000));
const url = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  PORT: String(port),
  HOST: '127.0.0.1',
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/omt_demo',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  OMT_REDIS_PREFIX: process.env.OMT_REDIS_PREFIX ?? 'omt-demo',
  OMT_BLOB_DIR: process.env.OMT_BLOB_DIR ?? path.join(DEMO_DIR, 'blobs'),
  OMT_DASHBOARD_ORIGIN: url,
  // A known local login for the demo only (created on first start while no admin exists).
  OMT_ADMIN_EMAIL: process.env.OMT_ADMIN_EMAIL ?? 'admin@omt.local',
  OMT_ADMIN_PASSWORD: process.env.OMT_ADMIN_PASSWORD ?? 'omt-demo-admin',
};

const logFile = path.join(DEMO_DIR, 'ops-api.log');
const log = createWriteStream(logFile);
step(`starting the API, worker and dashboard (logs: ${path.relative(ROOT, logFile)})…`);
const server = spawn(process.execPath, [path.join(ROOT, 'apps/ops-api/dist/dev.js')], { cwd: ROOT, env });
server.stdout.pipe(log);
server.stderr.pipe(log);
let exited = false;
server.on('exit', (code) => {
  exited = true;
  if (!stopping) fail(`The API process stopped (exit code ${code}); see ${logFile}.`);
});

let stopping = false;
function stop(code) {
  stopping = true;
  server.kill('SIGTERM');
  setTimeout(() => process.exit(code), exited ? 0 : 1500).unref();
  server.on('exit', () => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

if (!(await waitFor(() => healthy(url), 90_000, 500))) {
  stop(1);
  fail(`The API did not become healthy at ${url} within 90 s; see ${logFile}.`);
}

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

if (once) stop(0);
else console.log(dim('Press Ctrl-C to stop.'));
