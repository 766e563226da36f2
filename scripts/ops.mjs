#!/usr/bin/env node
// `npm run ops -- <command>`: runs the ops-api's admin CLI (API keys, users).
// It reads DATABASE_URL and the rest through the API's own validated config.
// Builds the API first when its compiled CLI is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'apps/ops-api/dist/cli/ops.js');

if (!existsSync(cli)) {
  console.error('ops: building the ops-api first (its compiled CLI is missing) ...');
  // nx builds the contracts and generates the Prisma client before the API.
  const build = spawnSync('npx', ['nx', 'run', '@omt/ops-api:build', '--outputStyle=static'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NX_NO_CLOUD: 'true' },
  });
  if (build.status !== 0 || !existsSync(cli)) {
    console.error('ops: the build failed; run `npm run build` and look at its errors.');
    process.exit(build.status || 1);
  }
}

const run = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env: process.env });
process.exit(run.status ?? 1);
