import { createInterface } from 'node:readline/promises';
import {
  DEFAULT_BATCH_LIMITS,
  OmtError,
  batchLimitsSchema,
  detailsFromZodError,
  type BatchLimits,
  type MigrationState,
  type StructureSummary,
} from '@omt/contracts';
import { accessEndedOf, type AccessEnded } from '../api/access-ended';
import { assertEnrollmentCodeShape } from '../api/enrollment-code';
import { DEFAULT_STATE_DIR } from '../api/enrollment-store';
import { assertArchiveFolder } from '../archive/archive-folder';
import { CLI_PASSWORD_SOURCE } from '../logon/admin-logon';
import { SUCCESS_STATES } from '../migration/await-outcome';
import { migrate, type MigrateOutcome, type MigrateUi } from '../migration/migrate';
import { openSource } from '../source/open-source';
import { formatBytes, formatDuration } from '../text/format';
import { progressStyleFor } from '../upload/progress-view';
import { DEFAULT_PARALLEL_TABLES } from '../upload/upload-tables';
import { EXIT_ERROR, EXIT_OK, type CommandResult } from './command-result';
import { resolveSource, type SourceFlags } from './resolve-source';

export interface MigrateFlags extends SourceFlags {
  api?: string;
  code?: string;
  user?: string;
  password?: string;
  plan?: string;
  yes?: boolean;
  json?: boolean;
  parallel?: string;
  migratorName?: string;
  migratorEmail?: string;
  migratorPhone?: string;
  batchRows?: string;
  batchBytes?: string;
  stateDir?: string;
}

/** Ctrl-C: the run stops between two requests; what landed stays landed. */
class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

export const EXIT_INTERRUPTED = 130;

export async function migrateCommand(flags: MigrateFlags, stderr: (text: string) => void): Promise<CommandResult> {
  const required = (value: string | undefined, what: string): string => {
    if (value === undefined || value === '') throw new OmtError('VALIDATION_FAILED', `migrate needs ${what}.`);
    return value;
  };
  const apiUrl = required(flags.api, 'the omt API: --api <url> (or OMT_API_URL)');
  const code = required(flags.code, 'the enrollment code from operations: --code <code> (or OMT_ENROLLMENT_CODE)');
  const user = required(flags.user, 'the CRM administrator: --user <login> (or OMT_CRM_USER)');
  const password = required(flags.password, "the CRM administrator's password: --password (or OMT_CRM_PASSWORD)");
  if (!/^https?:\/\/[^/]/i.test(apiUrl))
    throw new OmtError(
      'VALIDATION_FAILED',
      `--api must be an http(s) URL like https://omt.example.com, not "${apiUrl}".`,
    );
  assertEnrollmentCodeShape(code);
  const parallel = flags.parallel === undefined ? DEFAULT_PARALLEL_TABLES : Number(flags.parallel);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 32) {
    throw new OmtError('VALIDATION_FAILED', `--parallel must be a whole number from 1 to 32, not "${flags.parallel}".`);
  }
  const batchLimits = batchLimitsOf(flags);
  const { location, archive } = await resolveSource(flags);
  // A wrong archive folder stops the run before the code is spent or anything is sent.
  if (archive) await assertArchiveFolder(archive);
  const json = Boolean(flags.json);
  const stateDir = flags.stateDir ?? DEFAULT_STATE_DIR;

  const stop = new AbortController();
  const onSignal = () => stop.abort(new Interrupted());
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const ui = terminalUi(json, stderr);
  try {
    const outcome = await migrate(
      {
        apiUrl,
        code,
        openSource: () => openSource(location),
        archive,
        user,
        password,
        passwordFrom: CLI_PASSWORD_SOURCE,
        planFile: flags.plan,
        yes: Boolean(flags.yes),
        migrator: {
          name: flags.migratorName ?? '',
          email: flags.migratorEmail ?? '',
          phone: flags.migratorPhone ?? '',
        },
        parallel,
        batchLimits,
        stateDir,
        signal: stop.signal,
      },
      ui,
    );
    ui.end();
    return {
      data: outcome,
      human: formatOutcome(outcome),
      exitCode: SUCCESS_STATES.includes(outcome.state) ? EXIT_OK : EXIT_ERROR,
    };
  } catch (error) {
    ui.end();
    const ended = accessEndedOf(error);
    if (ended) return accessEndedResult(ended);
    if (!stop.signal.aborted) throw error;
    return {
      data: { interrupted: true, resume: 'run the same command again' },
      human:
        'Stopped. Everything that reached the cloud is kept; run the same command again to resume where it stopped.',
      exitCode: EXIT_INTERRUPTED,
    };
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/**
 * The API ended this agent's access before the run began: the ticket was
 * completed (nothing left to do: success) or cancelled (say why: failure).
 */
function accessEndedResult(ended: AccessEnded): CommandResult {
  if (ended.state === 'completed') {
    return {
      // Mode `done` as a run on a completed ticket answered before its access ended.
      data: { mode: 'done', state: ended.state, alreadyCompleted: true },
      human: 'This migration is already completed: there is nothing left to do on this machine.',
      exitCode: EXIT_OK,
    };
  }
  return {
    data: { state: ended.state, reason: ended.reason },
    human: [
      `Operations cancelled the migration of this ticket${ended.reason ? `; their reason: "${ended.reason}"` : ' (they gave no reason)'}.`,
      'Nothing more is sent. Running the agent again will not resume it: contact operations before starting again (a new start needs a new ticket and enrollment code).',
    ].join('\n'),
    exitCode: EXIT_ERROR,
  };
}

/** --batch-rows / --batch-bytes over the protocol's defaults, within the protocol's bounds. */
function batchLimitsOf(flags: MigrateFlags): BatchLimits {
  const limits = batchLimitsSchema.safeParse({
    maxRows: flags.batchRows === undefined ? DEFAULT_BATCH_LIMITS.maxRows : Number(flags.batchRows),
    maxBytes: flags.batchBytes === undefined ? DEFAULT_BATCH_LIMITS.maxBytes : Number(flags.batchBytes),
  });
  if (!limits.success) {
    throw new OmtError(
      'VALIDATION_FAILED',
      '--batch-rows must be 1–1000000 and --batch-bytes 1024–67108864.',
      detailsFromZodError(limits.error),
    );
  }
  return limits.data;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Narrative and questions on stderr (stdout carries only the result); nothing but the result with --json. */
function terminalUi(json: boolean, stderr: (text: string) => void): MigrateUi & { end(): void } {
  const style = progressStyleFor(json);
  const interactive = !json && Boolean(process.stdin.isTTY && process.stderr.isTTY);
  let waitingSince: number | null = null;
  let lastState: MigrationState | null = null;
  let frame = 0;
  return {
    progressStyle: style,
    say: (text) => {
      if (!json) stderr(text.replace(/\n?$/, '\n'));
    },
    ask: interactive
      ? async (question) => {
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
          } finally {
            rl.close();
          }
        }
      : null,
    waiting: (state) => {
      waitingSince ??= Date.now();
      const seconds = (Date.now() - waitingSince) / 1000;
      if (style === 'bar')
        stderr(`\r\x1b[2K${SPINNER[frame++ % SPINNER.length]} cloud side: ${state} (${formatDuration(seconds)})`);
      else if (style === 'lines' && state !== lastState) stderr(`cloud side: ${state}\n`);
      lastState = state;
    },
    end: () => {
      if (style === 'bar' && waitingSince !== null) stderr('\n');
      waitingSince = null;
    },
  };
}

/** How many warnings the text view lists before it only counts the rest (`--json` has them all). */
const LISTED_WARNINGS = 50;

function formatStructure(s: StructureSummary): string[] {
  const counts = `${s.tables} tables, ${s.indexes} indexes, ${s.constraints} constraints`;
  const verdict =
    s.verified === null ? `not verified (${counts})` : s.verified ? `verified: ${counts} as the source declares` : `different (${counts}; see above)`;
  const lines = [`  structure   ${verdict}`];
  if (s.warnings.length > 0) {
    lines.push(`  warnings    ${s.warnings.length} item(s) of the source's structure could not be carried over:`);
    for (const w of s.warnings.slice(0, LISTED_WARNINGS)) lines.push(`                ${w}`);
    if (s.warnings.length > LISTED_WARNINGS)
      lines.push(`                … and ${s.warnings.length - LISTED_WARNINGS} more (--json lists them all)`);
  }
  return lines;
}

export function formatOutcome(o: MigrateOutcome): string {
  if (o.state === 'cancelled') return formatCancelled(o);
  const ok = SUCCESS_STATES.includes(o.state);
  const lines = [
    `Migration of ${o.ticket.customerId} (${o.ticket.companyName}) to ${o.ticket.environment}: ${o.state.replace(/_/g, ' ')}${o.reason ? ` (${o.reason})` : ''}.`,
    `  mode        ${o.mode}: ${o.modeReason}`,
  ];
  if (o.tables) {
    const t = o.tables;
    const resumed =
      t.skippedBatches + t.alreadyComplete > 0
        ? `; ${t.skippedBatches} batches and ${t.alreadyComplete} tables had landed before`
        : '';
    lines.push(
      `  tables      ${t.tables} (${t.rows} rows, ${formatBytes(t.bytes)} read, ${formatBytes(t.sentBytes)} sent${resumed})`,
    );
  }
  lines.push(`  verified    ${o.verified ? 'yes: row count and content hash of every table match the source' : 'no'}`);
  if (o.structure) lines.push(...formatStructure(o.structure));
  if (o.documents)
    lines.push(
      `  documents   ${o.documents.uploaded} uploaded (${formatBytes(o.documents.bytes)}), ${o.documents.skipped} had landed before`,
    );
  if (o.missingDocuments.length > 0) {
    lines.push(`  missing     ${o.missingDocuments.length} document(s) could not be migrated:`);
    for (const d of o.missingDocuments.slice(0, 50))
      lines.push(
        `                ${d.documentId} ${d.name || '(no name)'}: ${d.reason}${d.relativePath ? ` (${d.relativePath})` : ''}`,
      );
    if (o.missingDocuments.length > 50)
      lines.push(`                … and ${o.missingDocuments.length - 50} more (--json lists them all)`);
  }
  lines.push(`  time        ${formatDuration(o.elapsedMs / 1000)}`);
  if (!ok)
    lines.push(
      'Run the same command again to resume once the cause is fixed; operations see the details on the dashboard.',
    );
  return lines.join('\n');
}

/** Operations stopped this migration: nothing more is sent, and running the agent again will not change that. */
function formatCancelled(o: MigrateOutcome): string {
  const onsite = o.ticket.kind === 'live' ? ' The onsite CRM is open for logins again.' : '';
  return [
    `Operations cancelled the migration of ${o.ticket.customerId} (${o.ticket.companyName}) to ${o.ticket.environment}` +
      `${o.reason ? `; their reason: "${o.reason}"` : ' (they gave no reason)'}.`,
    `Nothing more is sent.${onsite} Running the agent again will not resume it: contact operations before starting again (a new start needs a new ticket and enrollment code).`,
  ].join('\n');
}
