import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { SAMPLE_PROBLEM_NAMES, SAMPLE_SIZES } from './sample/sample-options';
import { printError, printResult, processOutput, type CommandResult, type Output } from './cli/command-result';
import { sampleDbCommand, type SampleDbFlags } from './cli/sample-db.command';
import { checkCommand, type CheckFlags } from './cli/check.command';
import { introspectCommand, scanArchiveCommand } from './cli/inspect.commands';
import type { SourceFlags } from './cli/resolve-source';
import { wizardCommand, type WizardFlags } from './cli/wizard.command';
import { planInitCommand, planValidateCommand, type PlanInitFlags, type PlanValidateFlags } from './cli/plan.commands';
import { migrateCommand, type MigrateFlags } from './cli/migrate.command';
import { DEFAULT_STATE_DIR } from './api/enrollment-store';
import { DEFAULT_PARALLEL_TABLES } from './upload/upload-tables';

/** Set by the single-file build (scripts/package-agent.mjs), which has no package.json beside it. */
declare const OMT_AGENT_VERSION: string | undefined;

function agentVersion(): string {
  if (typeof OMT_AGENT_VERSION === 'string') return OMT_AGENT_VERSION;
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

// Every flag has an environment fallback so the agent can run headless.
const jsonOption = () => new Option('--json', 'print the result as JSON').env('OMT_JSON');
const sourceOptions = (command: Command) =>
  command
    .addOption(new Option('--source <url>', 'onsite database, e.g. mssql://user:pass@host:1433/db?schema=crm7').env('OMT_SOURCE'))
    .addOption(new Option('--config <file>', 'SuperOffice.config / web.config / SuperOffice.ini to discover the source').env('OMT_SUPEROFFICE_CONFIG'));
const archiveOption = () => new Option('--archive <dir>', 'the SO_ARC document archive folder').env('OMT_ARCHIVE');

export function buildProgram(output: Output = processOutput, setExitCode = (code: number) => void (process.exitCode = code)): Command {
  const program = new Command('omt-agent')
    .description('omt onsite agent: checks and uploads an onsite SuperOffice CRM')
    .version(agentVersion(), '-V, --version')
    .showHelpAfterError();

  const run =
    <F extends { json?: boolean }>(handler: (flags: F) => Promise<CommandResult>) =>
    async (flags: F) => {
      try {
        setExitCode(printResult(await handler(flags), Boolean(flags.json), output));
      } catch (error) {
        setExitCode(printError(error, Boolean(flags.json), output));
      }
    };

  program
    .command('sample-db')
    .description('create the sample onsite CRM (crm7 schema in PostgreSQL + SO_ARC archive), or its T-SQL script')
    .addOption(new Option('--target <url>', 'PostgreSQL database to create the schema in').env('OMT_SAMPLE_TARGET'))
    .addOption(archiveOption())
    .addOption(new Option('--seed <n>', 'seed; the same seed gives the same sample').default('1').env('OMT_SAMPLE_SEED'))
    .addOption(new Option('--size <size>', 'volume').choices(SAMPLE_SIZES).default('small').env('OMT_SAMPLE_SIZE'))
    .addOption(new Option('--problems <list>', `comma-separated problems to inject: ${SAMPLE_PROBLEM_NAMES.join(', ')}`).env('OMT_SAMPLE_PROBLEMS'))
    .addOption(new Option('--schema <name>', 'table prefix schema').default('crm7').env('OMT_SAMPLE_SCHEMA'))
    .addOption(new Option('--tsql <file>', 'also (or only) write the database as a T-SQL script for SQL Server').env('OMT_SAMPLE_TSQL'))
    .addOption(new Option('--rows <n>', 'about this many rows in all, instead of the size\'s (benchmarks)').env('OMT_SAMPLE_ROWS'))
    .addOption(new Option('--documents <n>', 'this many archive documents, instead of the size\'s').env('OMT_SAMPLE_DOCUMENTS'))
    .addOption(new Option('--doc-kb <n>', 'every archive file exactly this many KiB').env('OMT_SAMPLE_DOC_KB'))
    .addOption(
      new Option('--blob-mb <n>', 'largest BinaryObject value in MiB (default 3, small: 0.5; above 4 a value outgrows an 8 MiB batch)').env(
        'OMT_SAMPLE_BLOB_MB',
      ),
    )
    .addOption(jsonOption())
    .action(run<SampleDbFlags & { json?: boolean }>(sampleDbCommand));

  sourceOptions(
    program.command('check').description('log on as a CRM administrator and run the pre-migration checks (exit 2 when one blocks)'),
  )
    .addOption(archiveOption())
    .addOption(new Option('--user <login>', 'CRM administrator login').env('OMT_CRM_USER'))
    .addOption(new Option('--password <password>', 'CRM administrator password').env('OMT_CRM_PASSWORD'))
    .addOption(jsonOption())
    .action(run<CheckFlags & { json?: boolean }>(checkCommand));

  sourceOptions(program.command('introspect').description('list the tables, columns, keys and row counts of the source'))
    .addOption(jsonOption())
    .action(run<SourceFlags & { json?: boolean }>(introspectCommand));

  sourceOptions(program.command('scan-archive').description('map every document row to its archive file and report what is missing'))
    .addOption(archiveOption())
    .addOption(jsonOption())
    .action(run<SourceFlags & { json?: boolean }>(scanArchiveCommand));

  const plan = program.command('plan').description('the migration plan: user plans, login emails, migrator contact');
  sourceOptions(plan.command('init').description('write a starting plan from the onsite database (current plans, first email per user) to edit'))
    .addOption(new Option('--out <file>', 'write the plan to this file (default: print it, so `> plan.json` works)').env('OMT_PLAN_OUT'))
    .addOption(new Option('--migrator-name <name>', "the migrator's name").env('OMT_MIGRATOR_NAME'))
    .addOption(new Option('--migrator-email <email>', "the migrator's email").env('OMT_MIGRATOR_EMAIL'))
    .addOption(new Option('--migrator-phone <phone>', "the migrator's phone").env('OMT_MIGRATOR_PHONE'))
    .addOption(jsonOption())
    .action(run<PlanInitFlags & { json?: boolean }>(planInitCommand));
  sourceOptions(plan.command('validate').description('check a plan file against the onsite database with the rules the API applies (exit 2 when it breaks one)'))
    .addOption(new Option('--plan <file>', 'the plan file').env('OMT_PLAN').makeOptionMandatory())
    .addOption(jsonOption())
    .action(run<PlanValidateFlags & { json?: boolean }>(planValidateCommand));

  sourceOptions(program.command('wizard').description('the interactive migration wizard: a local web page on 127.0.0.1 (log on, contact, checks, user plans, login emails, submit; with --api also the upload, its progress and the result)'))
    .addOption(archiveOption())
    .addOption(new Option('--port <port>', 'port on 127.0.0.1 (default: a free one)').env('OMT_WIZARD_PORT'))
    .addOption(new Option('--no-open', 'do not try to open a browser'))
    .addOption(new Option('--out <file>', 'where the submitted plan is written').default('omt-plan.json').env('OMT_PLAN_OUT'))
    .addOption(new Option('--api <url>', 'submit the plan to the ticket at this omt API (with --code) instead of --out, and upload from the page').env('OMT_API_URL'))
    .addOption(new Option('--code <code>', 'the enrollment code from operations').env('OMT_ENROLLMENT_CODE'))
    .addOption(new Option('--state-dir <dir>', 'where the agent keeps its token and the wizard its draft between runs (mode 0600)').default(DEFAULT_STATE_DIR).env('OMT_STATE_DIR'))
    .addOption(jsonOption())
    .action(run<WizardFlags & { json?: boolean }>((flags) => wizardCommand(flags, output.stderr)));

  sourceOptions(
    program
      .command('migrate')
      .description('enroll with the code, run the checks, send the plan, upload every table and document, and wait for the cloud side to verify (resumes by itself)'),
  )
    .addOption(new Option('--api <url>', 'the omt API, e.g. https://omt.example.com').env('OMT_API_URL'))
    .addOption(new Option('--code <code>', 'the one-time enrollment code from operations').env('OMT_ENROLLMENT_CODE'))
    .addOption(archiveOption())
    .addOption(new Option('--user <login>', 'CRM administrator login').env('OMT_CRM_USER'))
    .addOption(new Option('--password <password>', 'CRM administrator password').env('OMT_CRM_PASSWORD'))
    .addOption(new Option('--plan <file>', 'the migration plan (omt-agent plan init / wizard); default: the starting plan, with --yes or when confirmed').env('OMT_PLAN'))
    .addOption(new Option('--yes', 'no questions: start the upload without confirmation').env('OMT_YES'))
    .addOption(new Option('--migrator-name <name>', "the migrator's name, for the starting plan (a plan file has its own)").env('OMT_MIGRATOR_NAME'))
    .addOption(new Option('--migrator-email <email>', "the migrator's email, for the starting plan").env('OMT_MIGRATOR_EMAIL'))
    .addOption(new Option('--migrator-phone <phone>', "the migrator's phone, for the starting plan").env('OMT_MIGRATOR_PHONE'))
    .addOption(new Option('--parallel <n>', 'tables uploaded at the same time').default(String(DEFAULT_PARALLEL_TABLES)).env('OMT_PARALLEL'))
    .addOption(new Option('--batch-rows <n>', 'rows per batch (a resume may use other limits: landed rows are kept, the rest cut anew)').env('OMT_BATCH_ROWS'))
    .addOption(new Option('--batch-bytes <n>', 'bytes of COPY text per batch (a row longer than this goes alone, in parts; a resume may use other limits)').env('OMT_BATCH_BYTES'))
    .addOption(new Option('--state-dir <dir>', 'where the agent keeps its token between runs (mode 0600)').default(DEFAULT_STATE_DIR).env('OMT_STATE_DIR'))
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExit codes: 0 completed (with or without missing documents), 1 failed, blocked or refused, 130 stopped (Ctrl-C).\n' +
        'Run the same command again after any interruption: it resumes where the upload stopped.\n',
    )
    .action(run<MigrateFlags & { json?: boolean }>((flags) => migrateCommand(flags, output.stderr)));

  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}

if (require.main === module) void main();
