import { OmtError } from '@omt/contracts';
import { openSource } from '../source/open-source';
import { describeSource } from '../source/source-url';
import { MigrationSession } from '../wizard/migration-session';
import { openBrowser } from '../wizard/open-browser';
import { connectAgent } from '../api/enrollment-store';
import { ApiPlanSink, FilePlanSink, type PlanSink } from '../wizard/plan-sink';
import { startWizardServer } from '../wizard/wizard-server';
import type { CommandResult } from './command-result';
import { resolveSource, type SourceFlags } from './resolve-source';

export interface WizardFlags extends SourceFlags {
  port?: string;
  /** commander's --no-open sets open to false. */
  open: boolean;
  out: string;
  /** With --api and --code the plan goes to the ticket at the API instead of --out. */
  api?: string;
  code?: string;
  stateDir?: string;
}

async function planSinkFor(flags: WizardFlags): Promise<PlanSink> {
  if (!flags.api && !flags.code) return new FilePlanSink(flags.out);
  if (!flags.api || !flags.code) throw new OmtError('VALIDATION_FAILED', 'To submit the plan to the API, give both --api <url> and --code <enrollment code>.');
  const { api, identity } = await connectAgent({ baseUrl: flags.api, code: flags.code, stateDir: flags.stateDir });
  return new ApiPlanSink(api, identity.ticketId);
}

/**
 * Serves the wizard on 127.0.0.1 until the migrator submits the plan (or
 * stops the agent). The URL with its one-time token is printed at once.
 */
export async function wizardCommand(flags: WizardFlags, announce: (text: string) => void, stop?: Promise<void>): Promise<CommandResult> {
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new OmtError('VALIDATION_FAILED', `--port must be 0–65535, not "${flags.port}".`);
  const { location, archive } = await resolveSource(flags);
  const sink = await planSinkFor(flags);
  const session = new MigrationSession({
    openSource: () => openSource(location),
    sourceLabel: describeSource(location),
    archive,
    sink,
  });
  const server = await startWizardServer(session, { port });
  announce(`Open the migration wizard in a browser on this machine:\n  ${server.url}\n(the link works once; press Ctrl+C to stop)\n`);
  if (flags.open) openBrowser(server.url);
  const interrupted = stop ?? new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  try {
    await Promise.race([session.whenSubmitted(), interrupted]);
  } finally {
    // Let the page read the answer to its submit before the server goes away.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.close();
  }
  const submitted = session.view().submitted;
  return {
    data: { submitted },
    human: submitted ? `The plan was submitted: ${submitted.location}` : 'The wizard was stopped before the plan was submitted.',
    exitCode: submitted ? 0 : 1,
  };
}
