// What an administrator would use without omt, measured on the same data in
// the same run as the benchmark: `pg_dump --data-only | psql` for the tables,
// `pg_dump --section=post-data | psql` for their keys and indexes, `rsync -a`
// to an rsync daemon on loopback for the archive.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitFor } from './lib.mjs';

/** Runs a shell pipeline; resolves with its wall time in seconds, rejects with its stderr. */
export function timedShell(script, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('bash', ['-c', `set -eo pipefail; ${script}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`${script.split(' ')[0]} failed (${code}): ${stderr.trim()}`)),
    );
  });
}

const quote = (text) => `'${String(text).replace(/'/g, `'\\''`)}'`;

/**
 * Copies the rows of `schema` from `sourceUrl` into the empty database
 * `targetUrl`: the tables first (not timed), then the data (timed). The
 * tables are created without their keys and indexes (pg_dump's pre-data
 * section), as omt loads them: both sides add keys after the load, outside
 * the phase compared.
 */
export async function pgDumpBaseline(sourceUrl, targetUrl, schema) {
  await timedShell(`pg_dump --schema-only --section=pre-data --no-owner --schema=${quote(schema)} ${quote(sourceUrl)} | psql -q -v ON_ERROR_STOP=1 ${quote(targetUrl)}`);
  return timedShell(`pg_dump --data-only --no-owner --schema=${quote(schema)} ${quote(sourceUrl)} | psql -q -v ON_ERROR_STOP=1 ${quote(targetUrl)}`);
}

/**
 * Builds the source's keys, unique constraints and indexes (pg_dump's
 * post-data section) on the rows `pgDumpBaseline` loaded into `targetUrl`:
 * the seconds PostgreSQL itself takes to build the structure omt builds
 * after its load. Defaults and identity come with the tables (pre-data) and
 * are not in it; they are catalog changes that take no time beside the
 * index builds.
 */
export function pgPostDataBaseline(sourceUrl, targetUrl, schema) {
  return timedShell(`pg_dump --section=post-data --no-owner --schema=${quote(schema)} ${quote(sourceUrl)} | psql -q -v ON_ERROR_STOP=1 ${quote(targetUrl)}`);
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** `rsync -a <archive>/` to a fresh module of an rsync daemon on 127.0.0.1; seconds of the transfer. */
export async function rsyncBaseline(archiveDir, workDir) {
  const destination = path.join(workDir, 'rsync-destination');
  mkdirSync(destination, { recursive: true });
  const port = await freePort();
  const { uid, gid } = os.userInfo();
  const config = path.join(workDir, 'rsyncd.conf');
  writeFileSync(
    config,
    [
      `pid file = ${path.join(workDir, 'rsyncd.pid')}`,
      'use chroot = no',
      `uid = ${uid}`,
      `gid = ${gid}`,
      '[bench]',
      `  path = ${destination}`,
      '  read only = false',
      '',
    ].join('\n'),
  );
  const daemon = spawn('rsync', ['--daemon', '--no-detach', `--config=${config}`, '--address=127.0.0.1', `--port=${port}`], { stdio: 'ignore' });
  try {
    if (!(await waitFor(() => canConnect(port), 10_000, 50))) throw new Error('the rsync daemon did not start');
    return await timedShell(`rsync -a ${quote(`${archiveDir}/`)} rsync://127.0.0.1:${port}/bench/`);
  } finally {
    daemon.kill('SIGTERM');
  }
}
