import type { z } from 'zod';
import type { ticketProgressedSchema } from '@omt/contracts';

export type UploadPhase = z.infer<typeof ticketProgressedSchema>['phase'];

export interface Counter {
  done: number;
  total: number;
}

/** Where the upload stands; the terminal view and the API's progress events read this one object. */
export interface ProgressSnapshot {
  phase: UploadPhase;
  tables: Counter;
  rows: Counter;
  /** Uncompressed COPY text read; the total is estimated from the rows once some have been read. */
  bytes: Counter;
  /** Compressed bytes sent over the wire in this run. */
  sentBytes: number;
  documents: Counter;
  /** Document bytes done (sent, or landed before) of those the documents phase sends. */
  documentBytes: Counter;
  /** Rows per second sent in this run (skipped batches do not count); 0 until measurable. */
  rowsPerSecond: number;
  /** Document bytes per second in the documents phase; 0 until measurable. */
  documentBytesPerSecond: number;
  /** Seconds left at the current rate (rows; document bytes in the documents phase); null while unknown. */
  etaSeconds: number | null;
  elapsedMs: number;
}

/**
 * Counts what the upload has done. Rows that landed in an earlier run count
 * as done but not towards the rate, so the ETA of a resume is not flattered
 * by batches it skipped.
 */
export class UploadProgress {
  private phase: UploadPhase = 'tables';
  private readonly tables: Counter = { done: 0, total: 0 };
  private readonly rows: Counter = { done: 0, total: 0 };
  private readonly documents: Counter = { done: 0, total: 0 };
  private readonly documentBytes: Counter = { done: 0, total: 0 };
  /** When the documents phase started, and its bytes done then: the documents' own rate. */
  private documentsStart: { at: number; bytes: number } | null = null;
  private bytes = 0;
  private sentBytes = 0;
  private rowsSent = 0;
  private readonly started: number;
  private readonly listeners: Array<(snapshot: ProgressSnapshot) => void> = [];

  constructor(private readonly now: () => number = Date.now) {
    this.started = now();
  }

  onChange(listener: (snapshot: ProgressSnapshot) => void): void {
    this.listeners.push(listener);
  }

  setPhase(phase: UploadPhase): void {
    this.phase = phase;
    if (phase === 'documents') this.documentsStart = { at: this.now(), bytes: this.documentBytes.done };
    this.changed();
  }

  expectTables(tables: number, rows: number): void {
    this.tables.total = tables;
    this.rows.total = rows;
    this.changed();
  }

  expectDocuments(documents: number, bytes: number): void {
    this.documents.total = documents;
    this.documentBytes.total = bytes;
    this.changed();
  }

  /** Where the document upload stands (documents and bytes done include those that had landed before). */
  documentsProgressed(progress: { documents: Counter; bytes: Counter }): void {
    Object.assign(this.documents, progress.documents);
    Object.assign(this.documentBytes, progress.bytes);
    this.changed();
  }

  addRows(rows: number, bytes: number, sentBytes: number, skipped: boolean): void {
    this.rows.done += rows;
    this.bytes += bytes;
    this.sentBytes += sentBytes;
    if (!skipped) this.rowsSent += rows;
    this.changed();
  }

  tableDone(): void {
    this.tables.done++;
    this.changed();
  }

  /** A table finished in an earlier run: its rows count as done at once. */
  tableAlreadyDone(rows: number): void {
    this.rows.done += rows;
    this.tableDone();
  }

  snapshot(): ProgressSnapshot {
    const elapsedMs = Math.max(0, this.now() - this.started);
    const rowsPerSecond = elapsedMs >= 1000 ? this.rowsSent / (elapsedMs / 1000) : 0;
    // Counts are taken when the upload starts; a table that grew since must not show more than 100 %.
    const rowsTotal = Math.max(this.rows.total, this.rows.done);
    const left = rowsTotal - this.rows.done;
    const bytesPerRow = this.rows.done > 0 ? this.bytes / this.rows.done : 0;
    const documentRate = this.documentRate();
    const eta =
      this.phase === 'documents'
        ? secondsLeft(this.documentBytes.total - this.documentBytes.done, documentRate)
        : secondsLeft(left, rowsPerSecond);
    return {
      phase: this.phase,
      tables: { ...this.tables },
      rows: { done: this.rows.done, total: rowsTotal },
      bytes: { done: this.bytes, total: Math.max(this.bytes, Math.round(bytesPerRow * rowsTotal)) },
      sentBytes: this.sentBytes,
      documents: { ...this.documents },
      documentBytes: { ...this.documentBytes },
      rowsPerSecond,
      documentBytesPerSecond: documentRate,
      etaSeconds: eta,
      elapsedMs,
    };
  }

  private documentRate(): number {
    if (!this.documentsStart) return 0;
    const seconds = (this.now() - this.documentsStart.at) / 1000;
    return seconds >= 1 ? (this.documentBytes.done - this.documentsStart.bytes) / seconds : 0;
  }

  private changed(): void {
    if (this.listeners.length === 0) return;
    const snapshot = this.snapshot();
    for (const listener of this.listeners) listener(snapshot);
  }
}

/** Seconds to do `left` at `rate` per second: 0 when nothing is left, null while the rate is unknown. */
function secondsLeft(left: number, rate: number): number | null {
  if (left <= 0) return 0;
  return rate > 0 ? Math.ceil(left / rate) : null;
}
