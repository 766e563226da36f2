import type { BatchLimits, MigrationState, MigratorContact } from '@omt/contracts';
import type { RetryPolicy } from '../api/retry-policy';
import type { SourceConnector } from '../source/source-connector';
import type { DocumentPhase } from '../upload/document-phase';
import { archiveDocumentPhase } from '../upload/documents/archive-document-phase';
import type { ProgressStyle } from '../upload/progress-view';
import type { ProgressSnapshot } from '../upload/upload-progress';

/** What one `migrate` run is given: by the command line's flags or by the wizard. */
export interface MigrateOptions {
  apiUrl: string;
  code: string;
  openSource: () => SourceConnector;
  archive: string | null;
  user: string;
  password: string;
  /** Where the password came from, for a refused logon's advice (the logon form unless given). */
  passwordFrom?: string;
  /** A plan file; without it the starting plan (current plans, first address) when confirmed. */
  planFile?: string;
  /** No questions: the starting plan when there is no plan file, and no confirmation. */
  yes: boolean;
  /** The migrator's contact for the starting plan (a plan file carries its own). */
  migrator?: MigratorContact;
  parallel: number;
  /** Batch bounds of this run; a resume may change them (landed batches record their rows, the rest is cut anew). */
  batchLimits?: BatchLimits;
  stateDir: string;
  retry?: RetryPolicy;
  /** How documents are sent; `archiveDocumentPhase` (tus, resumable) unless given. */
  documents?: DocumentPhase;
  signal: AbortSignal;
}

/** What the migrate flow needs from the terminal. */
export interface MigrateUi {
  /** A line of narrative for a person (nothing with --json). */
  say(text: string): void;
  progressStyle: ProgressStyle;
  /** Asks a yes/no question; null when nobody can answer (no terminal). */
  ask: ((question: string) => Promise<boolean>) | null;
  /** Shows the cloud side's state while the agent waits for the outcome (called once a second). */
  waiting(state: MigrationState): void;
  /** Optional: every change of the upload's progress, for a view other than the terminal's (the wizard's page). */
  progress?(snapshot: ProgressSnapshot): void;
}

/** Opens the onsite database for one step and closes it after, whatever the step did. */
export async function withSource<T>(
  options: MigrateOptions,
  work: (source: SourceConnector) => Promise<T>,
): Promise<T> {
  const source = options.openSource();
  try {
    return await work(source);
  } finally {
    await source.close();
  }
}

/** How this run sends documents: the option (tests, benchmarks), else tus through the archive. */
export function documentPhaseOf(options: MigrateOptions): DocumentPhase {
  return options.documents ?? archiveDocumentPhase;
}
