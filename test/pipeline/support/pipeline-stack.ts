import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import {
  PG_ADMIN_URL,
  REDIS_URL,
  createTestDatabase,
  databaseUrl,
  dropDatabase,
  queryDatabase,
  uniqueName,
  uniqueRedisPrefix,
  type TestDatabase,
} from '../../support/databases';

export const ROOT = path.resolve(__dirname, '../../..');
const OPS_DIST = path.join(ROOT, 'apps/ops-api/dist');
/**
 * The agent as a migrator gets it: the single file `npm run package:agent`
 * writes (scripts/package-agent.mjs; the set-up of `npm test` makes it), not
 * the workspace build, so every end-to-end migration also proves the package.
 */
export const AGENT_BIN = path.join(ROOT, 'dist/omt-agent.cjs');

/** One spawned process of the stack, its output kept in a log file for when a test fails. */
export interface StackProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * The real API and worker as processes (`dist/dev.js` for both in one, or
 * `dist/main.js` + `dist/worker.js`), on their own operations database,
 * Redis prefix, blob folder and tenant database prefix. Build first
 * (`npx nx run-many -t build`).
 */
export class PipelineStack {
  url = '';
  readonly processes = new Map<string, StackProcess>();
  private readonly logs: WriteStream;

  private constructor(
    readonly dir: string,
    readonly database: TestDatabase,
    readonly env: NodeJS.ProcessEnv,
    readonly tenantPrefix: string,
  ) {
    this.logs = createWriteStream(path.join(dir, 'stack.log'));
  }

  static async create(label: string): Promise<PipelineStack> {
    const dir = await mkdtemp(path.join(os.tmpdir(), `omt-e2e-${label}-`));
    const database = await createOpsDatabase(label);
    const tenantPrefix = `t${randomBytes(4).toString('hex')}_`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      REDIS_URL,
      OMT_REDIS_PREFIX: uniqueRedisPrefix(label).replace(/[^A-Za-z0-9:_-]/g, '_'),
      OMT_BLOB_DIR: path.join(dir, 'blobs'),
      OMT_TENANT_DATABASE_URL: PG_ADMIN_URL,
      OMT_TENANT_DATABASE_PREFIX: tenantPrefix,
      OMT_TENANT_ARCHIVE_DIR: path.join(dir, 'archives'),
      OMT_MIGRATE_ON_START: process.env.OMT_TEST_TEMPLATE_DB ? 'false' : 'true',
    };
    return new PipelineStack(dir, database, env, tenantPrefix);
  }

  /** Starts a process of the stack and, for one serving HTTP, waits until it says where. */
  async start(name: 'dev' | 'main' | 'worker'): Promise<StackProcess> {
    const child = spawn(process.execPath, [path.join(OPS_DIST, `${name}.js`)], {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const proc = { name, child, exited };
    this.processes.set(name, proc);
    let buffered = '';
    const started = new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        this.logs.write(chunk);
        buffered += chunk.toString('utf8');
        for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (!/"omt [a-z]+ started"/.test(line)) continue;
          resolve((JSON.parse(line) as { url?: string }).url ?? '');
        }
      });
      void exited.then((code) =>
        reject(new Error(`${name} exited with ${code} before it started; see ${this.logPath}`)),
      );
    });
    child.stderr!.on('data', (chunk: Buffer) => this.logs.write(chunk));
    const url = await withTimeout(started, 90_000, `${name} did not start within 90 s; see ${this.logPath}`);
    if (url) this.url = url;
    return proc;
  }

  /** SIGKILL: no shutdown hooks, jobs left active in Redis as a crash would. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = this.processes.get(name);
    if (!proc) return;
    proc.child.kill(signal);
    await proc.exited;
    this.processes.delete(name);
  }

  /**
   * SIGKILL and start again. The API comes back on the port it had, so an
   * agent pointed at it can carry on with its retries.
   */
  async restart(name: 'dev' | 'main' | 'worker'): Promise<void> {
    await this.kill(name);
    if (name !== 'worker' && this.url) this.env.PORT = new URL(this.url).port;
    await this.start(name);
  }

  get logPath(): string {
    return path.join(this.dir, 'stack.log');
  }

  async logTail(lines = 60): Promise<string> {
    const text = await readFile(this.logPath, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }

  /** A sales API key through the operations CLI, as an administrator would make one. */
  async createSalesKey(): Promise<string> {
    const result = await runNode(
      [path.join(OPS_DIST, 'cli/ops.js'), '--json', 'keys', 'create', '--role', 'sales', '--name', 'e2e sales'],
      this.env,
    );
    if (result.code !== 0) throw new Error(`ops keys create failed (${result.code}): ${result.stderr}${result.stdout}`);
    return (JSON.parse(result.stdout) as { key: string }).key;
  }

  /** A session cookie of a new ops user made with the operations CLI, as the dashboard holds one. */
  async opsSessionCookie(): Promise<string> {
    const email = `ops-${randomBytes(4).toString('hex')}@example.com`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const made = await runNode(
      [path.join(OPS_DIST, 'cli/ops.js'), 'users', 'create', '--email', email, '--password', password],
      this.env,
    );
    if (made.code !== 0) throw new Error(`ops users create: ${made.stderr}`);
    const login = await fetch(`${this.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('omt_session='));
    if (!cookie) throw new Error(`ops login: ${login.status}, no session cookie`);
    return cookie.split(';')[0]!;
  }

  /** A ticket opened the way the sales system does: POST /api/tickets with the sales key. */
  async createTicket(
    salesKey: string,
    kind: 'test' | 'live' = 'test',
  ): Promise<{ ticketId: string; code: string; tenantDatabase: string }> {
    const response = await fetch(`${this.url}/api/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${salesKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: `Cust${randomInt(1, 1e11)}`,
        companyName: 'Pipeline Test AS',
        serialNumber: '4021-7788',
        environment: 'online',
        kind,
        salesRep: { name: 'Sam Seller', email: 'sam@example.com' },
      }),
    });
    const body = (await response.json()) as {
      ticket: { id: string; tenant: { databaseName: string } };
      enrollmentCode: string;
    };
    if (response.status !== 201) throw new Error(`create ticket: ${response.status} ${JSON.stringify(body)}`);
    return { ticketId: body.ticket.id, code: body.enrollmentCode, tenantDatabase: body.ticket.tenant.databaseName };
  }

  async close(): Promise<void> {
    for (const name of [...this.processes.keys()]) await this.kill(name, 'SIGTERM');
    this.logs.end();
    const tenants = await queryDatabase(
      PG_ADMIN_URL,
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [this.tenantPrefix],
    );
    for (const row of tenants) await dropDatabase(String(row.datname));
    await this.database.drop();
    await deleteRedisKeys(this.env.REDIS_URL!, this.env.OMT_REDIS_PREFIX!);
    if (!process.env.OMT_TEST_KEEP) await rm(this.dir, { recursive: true, force: true });
  }
}

/** Every key of the run's prefix (queues, socket.io), so the shared Redis keeps nothing of a test. */
async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    for (let cursor = '0'; ;) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      if ((cursor = next) === '0') break;
    }
  } catch {
    // A test's private Redis is gone with its folder already.
  } finally {
    redis.disconnect();
  }
}

/** The operations database: a clone of the migrated template when there is one, else empty (the API migrates it on start). */
async function createOpsDatabase(label: string): Promise<TestDatabase> {
  const template = process.env.OMT_TEST_TEMPLATE_DB;
  if (!template) return createTestDatabase(label);
  const name = uniqueName(label);
  await queryDatabase(PG_ADMIN_URL, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a node script to its end, output collected. */
export function runNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  onStart?: (child: ChildProcess) => void,
): Promise<NodeRun> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  onStart?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]);
}

/** The tenant database's URL on the test server. */
export function tenantUrl(name: string): string {
  return databaseUrl(name);
}
