import { DEFAULT_BATCH_LIMITS, OmtError, type AgentSession, type ArchiveScan } from '@omt/contracts';
import type { AgentApiClient } from '../api/agent-api-client';
import type { DocumentPhaseResult } from '../upload/document-phase';
import { UploadProgress } from '../upload/upload-progress';
import { sayDocuments, sendDocuments } from './documents.step';
import { documentPhaseOf, type MigrateOptions, type MigrateUi } from './migrate-options';
import { withProgressView } from './watch-progress';

/**
 * Recovery: the documents still missing or changed since they landed, and
 * nothing else: no table is announced, so the database is not touched.
 */
export async function recover(
  api: AgentApiClient,
  agentToken: string,
  session: AgentSession,
  archive: ArchiveScan | null,
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<DocumentPhaseResult> {
  // Without the archive every document would be reported as gone: stop before anything changes.
  if (!archive)
    throw new OmtError(
      'VALIDATION_FAILED',
      'A recovery sends the documents that are still missing: run the same command with --archive <the document archive>.',
    );
  const planned = documentPhaseOf(options).planned(archive);
  const manifest = await api.startUpload({
    limits: options.batchLimits ?? session.manifest.limits ?? DEFAULT_BATCH_LIMITS,
    tables: [],
    documents: planned,
  });
  const progress = new UploadProgress();
  progress.expectDocuments(planned.count, planned.bytes);
  const documents = await withProgressView(progress, session, agentToken, options, ui, () =>
    sendDocuments(api, agentToken, { ...session, manifest }, archive, options, progress),
  );
  sayDocuments(documents, ui);
  await api.completeUpload();
  ui.say('Recovery upload complete: the cloud side verifies the documents now.');
  return documents;
}
