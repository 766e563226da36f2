import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MIGRATION_STATE_WORDS,
  OmtError,
  isOmtError,
  type ErrorEnvelope,
  type MigrationState,
  type TicketView,
} from '@omt/contracts';
import type { RetryPolicy } from '../api/retry-policy';
import { SUCCESS_STATES } from '../migration/await-outcome';
import { migrate, type MigrateOutcome, type MigrateUi } from '../migration/migrate';
import { writePlanFile } from '../plan/plan-file';
import type { SourceConnector } from '../source/source-connector';
import { asSourceError } from '../source/source-errors';
import { formatBytes, formatDuration, formatRate } from '../text/format';
import type { ProgressSnapshot } from '../upload/upload-progress';
import { DEFAULT_PARALLEL_TABLES } from '../upload/upload-tables';
import type { MigrationSession } from './migration-session';

export interface WizardUploadOptions {
  apiUrl: string;
  code: string;
  stateDir: string;
  openSource: () => SourceConnector;
  archive: string | null;
  /** The ticket as the API showed it when the wizard started (company, kind, environment). */
  ticket: TicketView;
  parallel?: number;
  /** How requests to the API are retried (migrate's default unless given). */
  retry?: RetryPolicy;
  /** Every line of narrative also goes here (the terminal the wizard was started from). */
  say?: (text: string) => void;
}

/** Where the upload stands, in the words the page shows. */
export type UploadStatus = 'not-started' | 'running' | 'finished' | 'failed';

/** What the page is told while the upload runs: the numbers for the bars and the same texts the terminal prints. */
export interface UploadProgressView extends ProgressSnapshot {
  text: { rows: string; bytes: string; documents: string; rate: string; eta: string; elapsed: string };
}

export interface UploadView {
  mode: 'api';
  ticket: Pick<TicketView, 'id' | 'customerId' | 'companyName' | 'environment' | 'kind'>;
  status: UploadStatus;
  /** `preparing` until the tables start, then the upload's phase, then `cloud` while the API imports and verifies. */
  phase: 'preparing' | ProgressSnapshot['phase'] | 'cloud' | null;
  progress: UploadProgressView | null;
  /** The ticket's state while the agent waits for the cloud side. */
  cloudState: MigrationState | null;
  /** The latest lines of narrative, oldest first. */
  log: string[];
  outcome: (MigrateOutcome & { succeeded: boolean; text: OutcomeTexts }) | null;
  error: ErrorEnvelope | null;
  /** How many times the upload was started from the page (a second start resumes). */
  runs: number;
}

const LOG_LINES = 30;

/**
 * The upload step of the wizard: the same `migrate(...)` the `omt-agent
 * migrate` command runs, with the plan the migrator built in the page (as a
 * plan file in the agent's state folder, so a resume from the command line
 * uses it too) and a MigrateUi that keeps what the page polls instead of
 * drawing on a terminal. The page's confirmation is the run's `--yes`.
 */
export class WizardUpload {
  private status: UploadStatus = 'not-started';
  private phase: UploadView['phase'] = null;
  private progress: ProgressSnapshot | null = null;
  private cloudState: MigrationState | null = null;
  private readonly log: string[] = [];
  private outcome: MigrateOutcome | null = null;
  private error: ErrorEnvelope | null = null;
  private runs = 0;
  private running: Promise<void> | null = null;
  private abort = new AbortController();
  private closeListeners: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly session: MigrationSession,
    private readonly options: WizardUploadOptions,
  ) {}

  view(): UploadView {
    const { id, customerId, companyName, environment, kind } = this.options.ticket;
    return {
      mode: 'api',
      ticket: { id, customerId, companyName, environment, kind },
      status: this.status,
      phase: this.phase,
      progress: this.progress && withTexts(this.progress),
      cloudState: this.cloudState,
      log: [...this.log],
      outcome: this.outcome && {
        ...this.outcome,
        succeeded: SUCCESS_STATES.includes(this.outcome.state),
        text: outcomeTexts(this.outcome),
      },
      error: this.error,
      runs: this.runs,
    };
  }

  /**
   * Starts (or, after a failure or with documents missing, starts again) the
   * upload in the background; the page follows it through view(). A live
   * migration freezes the onsite CRM, so the page must say it was confirmed.
   */
  async start(confirmFreeze: boolean): Promise<UploadView> {
    const submitted = this.session.view();
    if (!submitted.submitted || !submitted.plan)
      throw new OmtError('CONFLICT', 'Submit the plan before starting the upload.');
    if (this.status === 'running') throw new OmtError('CONFLICT', 'The upload is running already.');
    if (this.outcome && !this.canStartAgain(this.outcome)) {
      throw new OmtError(
        'CONFLICT',
        `The migration is ${MIGRATION_STATE_WORDS[this.outcome.state]}: there is nothing left to upload.`,
      );
    }
    if (this.options.ticket.kind === 'live' && !confirmFreeze) {
      throw new OmtError(
        'VALIDATION_FAILED',
        'This is a live migration: confirm that logins to the onsite CRM are blocked from the start of the upload.',
      );
    }
    const { login, password } = this.session.adminLogon();
    const planFile = join(this.options.stateDir, `wizard-plan-${this.options.ticket.id}.json`);
    await mkdir(this.options.stateDir, { recursive: true, mode: 0o700 });
    await writePlanFile(planFile, submitted.plan);

    this.status = 'running';
    this.phase = 'preparing';
    this.progress = null;
    this.cloudState = null;
    this.outcome = null;
    this.error = null;
    this.runs++;
    this.abort = new AbortController();
    this.running = migrate(
      {
        apiUrl: this.options.apiUrl,
        code: this.options.code,
        openSource: this.options.openSource,
        archive: this.options.archive,
        user: login,
        password,
        planFile,
        yes: true,
        parallel: this.options.parallel ?? DEFAULT_PARALLEL_TABLES,
        stateDir: this.options.stateDir,
        retry: this.options.retry,
        signal: this.abort.signal,
      },
      this.ui(),
    ).then(
      (outcome) => {
        this.outcome = outcome;
        this.status = 'finished';
        this.say(`Result: ${outcome.state.replace(/_/g, ' ')}${outcome.reason ? ` (${outcome.reason})` : ''}.`);
      },
      (error: unknown) => {
        this.error = envelopeOf(error);
        this.status = 'failed';
        this.say(`The upload stopped: error [${this.error.code}]: ${this.error.message}`);
      },
    );
    return this.view();
  }

  /** The migrator is done with the page (or pressed Ctrl+C): stop a running upload; it resumes on the next start. */
  async close(): Promise<void> {
    if (this.status === 'running') this.abort.abort(new OmtError('CONFLICT', 'The wizard was closed.'));
    await this.running;
    this.closed = true;
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  whenClosed(): Promise<void> {
    return this.closed ? Promise.resolve() : new Promise((resolve) => this.closeListeners.push(resolve));
  }

  /** What the last run ended with; null when none finished. */
  lastOutcome(): MigrateOutcome | null {
    return this.outcome;
  }

  lastError(): ErrorEnvelope | null {
    return this.error;
  }

  /** A failed run resumes; documents still missing can be sent again (recovery). */
  private canStartAgain(outcome: MigrateOutcome): boolean {
    return outcome.state !== 'completed' && outcome.state !== 'cancelled';
  }

  private say(text: string): void {
    this.log.push(text);
    if (this.log.length > LOG_LINES) this.log.splice(0, this.log.length - LOG_LINES);
    this.options.say?.(text.replace(/\n?$/, '\n'));
  }

  private ui(): MigrateUi {
    return {
      say: (text) => this.say(text),
      progressStyle: 'silent',
      // The page asked before the start: migrate runs with yes.
      ask: null,
      waiting: (state) => {
        this.phase = 'cloud';
        this.cloudState = state;
      },
      progress: (snapshot) => {
        this.phase = snapshot.phase;
        this.progress = snapshot;
      },
    };
  }
}

/** The rate and ETA follow the phase: rows while the tables go, the documents' bytes while they do. */
function withTexts(s: ProgressSnapshot): UploadProgressView {
  const bytesPerSecond = s.elapsedMs > 0 ? Math.round(s.bytes.done / (s.elapsedMs / 1000)) : 0;
  return {
    ...s,
    text: {
      rows: `${s.rows.done.toLocaleString('en')} / ${s.rows.total.toLocaleString('en')}`,
      bytes: `${formatBytes(s.bytes.done)} / ${formatBytes(s.bytes.total)}`,
      documents: `${s.documents.done} / ${s.documents.total} (${formatBytes(s.documentBytes.done)} / ${formatBytes(s.documentBytes.total)})`,
      rate:
        s.phase === 'documents'
          ? `${formatBytes(Math.round(s.documentBytesPerSecond))}/s`
          : `${formatRate(s.rowsPerSecond)}, ${formatBytes(bytesPerSecond)}/s`,
      eta: formatDuration(s.etaSeconds),
      elapsed: formatDuration(s.elapsedMs / 1000),
    },
  };
}

interface OutcomeTexts {
  bytes: string;
  sentBytes: string;
  documentBytes: string;
  elapsed: string;
}

function outcomeTexts(o: MigrateOutcome): OutcomeTexts {
  return {
    bytes: formatBytes(o.tables?.bytes ?? 0),
    sentBytes: formatBytes(o.tables?.sentBytes ?? 0),
    documentBytes: formatBytes(o.documents?.bytes ?? 0),
    elapsed: formatDuration(o.elapsedMs / 1000),
  };
}

/** Any failure as the page shows it: a code and a message, never a stack trace. */
export function envelopeOf(thrown: unknown): ErrorEnvelope {
  const error = asSourceError(thrown);
  if (isOmtError(error)) return error.toEnvelope();
  return new OmtError('INTERNAL', error instanceof Error ? error.message : String(error)).toEnvelope();
}
