// `npm run package:agent`: the onsite agent as one file a migrator can copy
// to the customer's server and run with a stock Node >= 20 (Linux or
// Windows), without this repository or `npm install`: dist/omt-agent.cjs.
// Then, where Node and postject can make one, a single executable for this
// platform that needs no Node at all: dist/omt-agent (omt-agent.exe on Windows).
//   --no-sea   the .cjs file only
// Imports esbuild and postject lazily: the set-up runs this after `npm install`.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, ROOT, dim, step } from './lib.mjs';

const AGENT = path.join(ROOT, 'apps/agent');
const PAGE_DIR = path.join(AGENT, 'src/wizard/page');
export const PACKAGE_DIR = path.join(ROOT, 'dist');
export const PACKAGED_AGENT = path.join(PACKAGE_DIR, 'omt-agent.cjs');
const SEA_BLOB = path.join(PACKAGE_DIR, 'omt-agent.sea.blob');
export const SEA_AGENT = path.join(PACKAGE_DIR, process.platform === 'win32' ? 'omt-agent.exe' : 'omt-agent');
// The blob's sentinel, fixed by Node's single executable application format.
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** The wizard's static page, every file by name; page-assets.ts serves these instead of reading a folder. */
function pageFiles() {
  const files = {};
  for (const name of readdirSync(PAGE_DIR)) files[name] = readFileSync(path.join(PAGE_DIR, name), 'utf8');
  return files;
}

// Optional native add-ons that their packages load inside try/catch and do
// without: pg's pg-native (only for `pg.native`), ws' bufferutil and
// utf-8-validate. The bundle gets a module that fails like a missing one, so
// it never looks for them on disk (a single executable warns when it does).
const OPTIONAL_ADDONS = ['pg-native', 'bufferutil', 'utf-8-validate'];
const withoutOptionalAddons = {
  name: 'without-optional-addons',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${OPTIONAL_ADDONS.join('|')})$`) }, (args) => ({
      path: args.path,
      namespace: 'missing',
    }));
    build.onLoad({ filter: /.*/, namespace: 'missing' }, (args) => ({
      contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}' (not part of the packaged agent)`)}), { code: 'MODULE_NOT_FOUND' });`,
      loader: 'js',
    }));
  },
};

/**
 * Bundles the built agent (apps/agent/dist, through the same bin entry the
 * workspace runs) with every dependency into PACKAGED_AGENT. Needs the
 * workspace build first.
 */
export async function bundleAgent() {
  const esbuild = await import('esbuild');
  const { version } = JSON.parse(readFileSync(path.join(AGENT, 'package.json'), 'utf8'));
  mkdirSync(PACKAGE_DIR, { recursive: true });
  const { outputFiles } = await esbuild.build({
    write: false,
    entryPoints: [path.join(AGENT, 'bin/omt-agent.js')],
    outfile: PACKAGED_AGENT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [withoutOptionalAddons],
    define: {
      OMT_AGENT_VERSION: JSON.stringify(version),
      OMT_EMBEDDED_PAGE: JSON.stringify(pageFiles()),
    },
    // The bin entry's shebang stays; the bundle is run as `node omt-agent.cjs`.
    legalComments: 'none',
    logLevel: 'warning',
  });
  // Replaced in one step, so an agent started meanwhile (a test, the demo) never reads half a file.
  const partial = `${PACKAGED_AGENT}.${process.pid}.tmp`;
  writeFileSync(partial, outputFiles[0].contents, { mode: 0o755 });
  renameSync(partial, PACKAGED_AGENT);
  return PACKAGED_AGENT;
}

/**
 * A single executable application (Node's SEA) of PACKAGED_AGENT for this
 * platform: a copy of this node binary with the bundle injected by postject.
 * Returns its path, or null with the reason when this machine cannot make one.
 */
export async function buildSea() {
  const postject = path.join(BIN, process.platform === 'win32' ? 'postject.cmd' : 'postject');
  if (!existsSync(postject)) return { path: null, reason: 'postject is not installed (npm install -D postject)' };
  const config = path.join(PACKAGE_DIR, 'sea-config.json');
  writeFileSync(
    config,
    JSON.stringify({ main: PACKAGED_AGENT, output: SEA_BLOB, disableExperimentalSEAWarning: true }),
  );
  const blob = spawnSync(process.execPath, ['--experimental-sea-config', config], { encoding: 'utf8' });
  if (blob.status !== 0) return { path: null, reason: `node --experimental-sea-config failed: ${blob.stderr.trim()}` };
  rmSync(SEA_AGENT, { force: true });
  copyFileSync(process.execPath, SEA_AGENT);
  const args = [SEA_AGENT, 'NODE_SEA_BLOB', SEA_BLOB, '--sentinel-fuse', SEA_FUSE];
  if (process.platform === 'darwin') args.push('--macho-segment-name', 'NODE_SEA');
  const inject = spawnSync(postject, args, { encoding: 'utf8', shell: process.platform === 'win32' });
  rmSync(SEA_BLOB, { force: true });
  rmSync(config, { force: true });
  if (inject.status !== 0) {
    rmSync(SEA_AGENT, { force: true });
    return { path: null, reason: `postject failed: ${(inject.stderr || inject.stdout).trim()}` };
  }
  return { path: SEA_AGENT, reason: null };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  await bundleAgent();
  step(
    `agent packaged: ${path.relative(ROOT, PACKAGED_AGENT)} (${dim(`${Date.now() - started} ms`)}); run it with \`node ${path.relative(ROOT, PACKAGED_AGENT)} --help\``,
  );
  if (process.argv.includes('--no-sea')) process.exit(0);
  const sea = await buildSea();
  if (sea.path)
    step(
      `single executable for ${process.platform}-${process.arch}: ${path.relative(ROOT, sea.path)} (runs without Node)`,
    );
  else step(`no single executable made: ${sea.reason}. The .cjs file is the agent; it needs Node >= 20.`);
}
