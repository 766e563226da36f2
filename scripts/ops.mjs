#!/usr/bin/env node
// `npm run ops -- <command>`: runs the ops-api's admin CLI (API keys, users).
// It reads DATABASE_URL and the rest through the API's own validated config.
// Without DATABASE_URL it works on the demo's operations database, the one
// `npm run demo`'s API reads. On a fresh clone it runs the set-up first
// (the build only when the compiled CLI is missing).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, dim } from './lib.mjs';
import { setup } from './setup.mjs';
import { demoOpsDatabaseUrl } from './demo-env.mjs';

const cli = path.join(ROOT, 'apps/ops-api/dist/cli/ops.js');

// The set-up talks on stdout; keep stdout for the CLI's own output (`--json`).
const log = console.log;
console.log = console.error;
await setup({ withBuild: !existsSync(cli) });
console.log = log;

const env = { ...process.env, DATABASE_URL: demoOpsDatabaseUrl(process.env) };
if (!process.env.DATABASE_URL)
  console.error(dim(`ops: no DATABASE_URL set: the demo's operations database ${env.DATABASE_URL}`));

const run = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit', env });
process.exit(run.status ?? 1);
