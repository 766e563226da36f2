import { OmtError, type TicketView } from '@omt/contracts';
import type { AgentApiClient } from '../api/agent-api-client';
import { assertEnrollmentCodeShape } from '../api/enrollment-code';
import { DEFAULT_STATE_DIR, connectAgent } from '../api/enrollment-store';
import { assertArchiveFolder } from '../archive/archive-folder';
import { SUCCESS_STATES } from '../migration/await-outcome';
import { openSource } from '../source/open-source';
import { describeSource } from '../source/source-url';
import { MigrationSession } from '../wizard/migration-session';
import { openBrowser } from '../wizard/open-browser';
import { ApiPlanSink, FilePlanSink } from '../wizard/plan-sink';
import { startWizardServer } from '../wizard/wizard-server';
import { WizardUpload } from '../wizard/wizard-upload';
import { DraftStore } from '../wizard/wizard-draft';
import { EXIT_ERROR, EXIT_OK, type CommandResult } from './command-result';
import { formatOutcome } from './migrate.command';
import { resolveSource, type SourceFlags } from './resolve-source';

export interface WizardFlags extends SourceFlags {
  port?: string;
  /** commander's --no-open sets open to false. */
  open: boolean;
  out: string;
  /** With --api and --code the plan goes to the ticket at the API instead of --out, and the wizard runs the upload. */
  api?: string;
  code?: string;
  stateDir?: string;
}

interface ApiTarget {
  apiUrl: string;
  code: string;
  stateDir: string;
  api: AgentApiClient;
  ticket: TicketView;
}

/** The ticket this agent works for (enrolling with the code, or the token stored for it); null to write a plan file. */
async function apiTargetFor(flags: WizardFlags): Promise<ApiTarget | null> {
  if (!flags.api && !flags.code) return null;
  if (!flags.api || !flags.code)
    throw new OmtError(
      'VALIDATION_FAILED',
      'To submit the plan to the API, give both --api <url> and --code <enrollment code>.',
    );
  assertEnrollmentCodeShape(flags.code);
  const stateDir = flags.stateDir ?? DEFAULT_STATE_DIR;
  const { api } = await connectAgent({ baseUrl: flags.api, code: flags.code, stateDir });
  const { ticket } = await api.session();
  return { apiUrl: flags.api, code: flags.code, stateDir, api, ticket };
}

/**
 * Serves the wizard on 127.0.0.1. The URL with its one-time token is printed
 * at once. Writing a plan file, it ends when the plan is submitted; with an
 * API it runs the upload from the page too and ends when the migrator closes
 * the wizard there (or stops the agent, which stops an upload resumably).
 */
export async function wizardCommand(
  flags: WizardFlags,
  announce: (text: string) => void,
  stop?: Promise<void>,
): Promise<CommandResult> {
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new OmtError('VALIDATION_FAILED', `--port must be 0–65535, not "${flags.port}".`);
  const { location, archive } = await resolveSource(flags);
  // A wrong archive folder stops the wizard before it enrolls or shows a page.
  if (archive) await assertArchiveFolder(archive);
  const target = await apiTargetFor(flags);
  const sourceLabel = describeSource(location);
  const session = new MigrationSession({
    openSource: () => openSource(location),
    sourceLabel,
    archive,
    sink: target ? new ApiPlanSink(target.api, target.ticket.id) : new FilePlanSink(flags.out),
    drafts: await DraftStore.open(sourceLabel, flags.stateDir ?? DEFAULT_STATE_DIR),
  });
  const upload =
    target &&
    new WizardUpload(session, {
      apiUrl: target.apiUrl,
      code: target.code,
      stateDir: target.stateDir,
      openSource: () => openSource(location),
      archive,
      ticket: target.ticket,
      say: announce,
    });
  const server = await startWizardServer(session, { port, upload: upload ?? undefined });
  const ticket = target
    ? ` for ${target.ticket.companyName} (${target.ticket.kind} migration to ${target.ticket.environment})`
    : '';
  announce(
    `Open the migration wizard${ticket} in a browser on this machine:\n  ${server.url}\n(the link works once; press Ctrl+C to stop)\n`,
  );
  if (flags.open) openBrowser(server.url);
  const interrupted = stop ?? new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  try {
    await Promise.race([upload ? upload.whenClosed() : session.whenSubmitted(), interrupted]);
  } finally {
    // Ctrl+C stops a running upload between two requests; the next start resumes it.
    await upload?.close();
    // Let the page read the answer to its last request before the server goes away.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.close();
  }
  const submitted = session.view().submitted;
  const outcome = upload?.lastOutcome() ?? null;
  const error = upload?.lastError() ?? null;
  const human = outcome
    ? formatOutcome(outcome)
    : error
      ? `The upload stopped: error [${error.code}]: ${error.message}`
      : submitted
        ? `The plan was submitted: ${submitted.location}\n${upload ? 'The upload was not started.' : submitted.nextStep}`
        : 'The wizard was stopped before the plan was submitted.';
  const done = upload ? outcome !== null && SUCCESS_STATES.includes(outcome.state) : submitted !== null;
  return { data: { submitted, outcome, error }, human, exitCode: done ? EXIT_OK : EXIT_ERROR };
}
