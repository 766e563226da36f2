import { OmtError } from '@omt/contracts';
import { openSource } from '../source/open-source';
import { describeSource } from '../source/source-url';
import { MigrationSession } from '../wizard/migration-session';
import { openBrowser } from '../wizard/open-browser';
import { FilePlanSink } from '../wizard/plan-sink';
import { startWizardServer } from '../wizard/wizard-server';
import type { CommandResult } from './command-result';
import { resolveSource, type SourceFlags } from './resolve-source';

export interface WizardFlags extends SourceFlags {
  port?: string;
  /** commander's --no-open sets open to false. */
  open: boolean;
  out: string;
}

/**
 * Serves the wizard on 127.0.0.1 until the migrator submits the plan (or
 * stops the agent). The URL with its one-time token is printed at once.
 */
export async function wizardCommand(flags: WizardFlags, announce: (text: string) => void, stop?: Promise<void>): Promise<CommandResult> {
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new OmtError('VALIDATION_FAILED', `--port must be 0–65535, not "${flags.port}".`);
  const { location, archive } = await resolveSource(flags);
  const session = new MigrationSession({
    openSource: () => openSource(location),
    sourceLabel: describeSource(location),
    archive,
    sink: new FilePlanSink(flags.out),
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
