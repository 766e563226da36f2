import type { AgentSession } from '@omt/contracts';
import { AgentEvents } from '../api/agent-events';
import { showProgress } from '../upload/progress-view';
import type { UploadProgress } from '../upload/upload-progress';
import type { MigrateOptions, MigrateUi } from './migrate-options';

/** Runs an upload with its progress on the terminal and to the API (throttled events); both end with it. */
export async function withProgressView<T>(
  progress: UploadProgress,
  session: AgentSession,
  agentToken: string,
  options: MigrateOptions,
  ui: MigrateUi,
  work: () => Promise<T>,
): Promise<T> {
  const events = new AgentEvents({ baseUrl: options.apiUrl, agentToken, ticketId: session.ticket.id });
  progress.onChange((snapshot) => events.progressed(snapshot));
  if (ui.progress) progress.onChange((snapshot) => ui.progress?.(snapshot));
  const view = showProgress(progress, ui.progressStyle);
  try {
    return await work();
  } finally {
    view.stop();
    events.close();
  }
}
