import type { AgentSession, ArchiveScan } from '@omt/contracts';
import type { AgentApiClient } from '../api/agent-api-client';
import type { DocumentPhaseResult } from '../upload/document-phase';
import type { UploadProgress } from '../upload/upload-progress';
import { documentPhaseOf, type MigrateOptions, type MigrateUi } from './migrate-options';

/** The document phase, then the list of what could not be sent (replacing the API's). */
export async function sendDocuments(
  api: AgentApiClient,
  agentToken: string,
  session: AgentSession,
  archive: ArchiveScan | null,
  options: MigrateOptions,
  progress: UploadProgress,
): Promise<DocumentPhaseResult> {
  progress.setPhase('documents');
  const result = archive
    ? await documentPhaseOf(options).run({
        api,
        baseUrl: options.apiUrl,
        agentToken,
        headers: api.leaseHeaders(),
        stateDir: options.stateDir,
        scan: archive,
        manifest: session.manifest,
        progress,
        signal: options.signal,
      })
    : { uploaded: 0, skipped: 0, bytes: 0, missing: [] };
  await api.putMissingDocuments({ documents: result.missing });
  return result;
}

/** The documents phase in one line for the migrator. */
export function sayDocuments(result: DocumentPhaseResult, ui: MigrateUi): void {
  ui.say(
    `Documents: ${result.uploaded} uploaded, ${result.skipped} had landed before, ${result.missing.length} missing.`,
  );
}
