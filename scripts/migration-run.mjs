// One real migration with real processes, for `npm run demo` and `npm run bench`:
// the API and the worker (built), a sample onsite CRM, a ticket opened through
// the API, and the agent run headless against it.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT, waitFor } from './lib.mjs';
import { PACKAGED_AGENT } from './package-agent.mjs';

const OPS_DIST = path.join(ROOT, 'apps/ops-api/dist');
/** The agent as a migrator runs it: the single file the set-up packages. */
export const AGENT_BIN = PACKAGED_AGENT;

/** `preferred` when it is free, else any free port on 127.0.0.1. */
export function freePort(preferred = 0) {
  return new Promise((resolve) => {
    const listen = (port, onError) => {
      const server = net.createServer();
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        const { port: bound } = server.address();
        server.close(() => resolve(bound));
      });
    };
    listen(preferred, () => listen(0, () => resolve(0)));
  });
}

export async function healthy(url) {
  try {
    return (await fetch(`${url}/api/health`)).status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts one ops-api entry point (`dev` = API + worker, `main` = API, `worker`)
 * with its output in `logFile`. Resolves with the child once the API answers
 * (the worker alone: once it has started).
 */
export async function startOps(entry, env, logFile) {
  const child = spawn(process.execPath, [path.join(OPS_DIST, `${entry}.js`)], { cwd: ROOT, env });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exit = null;
  child.on('exit', (code, signal) => (exit = { code, signal }));
  const ready =
    entry === 'worker'
      ? await waitFor(() => exit !== null || (existsSync(logFile) && readFileSync(logFile, 'utf8').includes('omt worker started')), 60_000, 200)
      : await waitFor(async () => exit !== null || (await healthy(`http://127.0.0.1:${env.PORT}`)), 90_000, 300);
  if (!ready || exit) {
    child.kill('SIGKILL');
    throw new Error(`ops-api ${entry} did not start${exit ? ` (exit ${exit.code ?? exit.signal})` : ''}; see ${logFile}`);
  }
  return child;
}

/** Stops a child and resolves when it is gone. */
export function stopProcess(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** Starts a node script; `result` resolves with its exit code and output when it ends. */
export function spawnNode(script, args, env, { onStderr } = {}) {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env });
  const result = new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      onStderr?.(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, result };
}

/** A sales key through the admin CLI (the same service the API uses). */
export async function createSalesKey(env) {
  const result = await spawnNode(path.join(OPS_DIST, 'cli/ops.js'), ['--json', 'keys', 'create', '--role', 'sales', '--name', 'omt demo'], env).result;
  if (result.code !== 0) throw new Error(`ops keys create failed: ${result.stderr || result.stdout}`);
  return JSON.parse(result.stdout).key;
}

/** Opens a ticket as the sales system would; resolves with the ticket and its enrollment code. */
export async function openTicket(apiUrl, salesKey, request) {
  const response = await fetch(`${apiUrl}/api/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${salesKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = await response.json();
  if (response.status !== 201) throw new Error(`POST /api/tickets answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** A customer id nobody has used: `Cust` + digits from the clock. */
export function freshCustomerId() {
  return `Cust${Date.now() % 1e10}`;
}

/** Peak resident memory of a running process in bytes (Linux: VmHWM), or null when it is gone. */
export function peakRss(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
