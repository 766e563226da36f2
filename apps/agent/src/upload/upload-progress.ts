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
  /** Rows per second sent in this run (skipped batches do not count); 0 until measurable. */
  rowsPerSecond: number;
  /** Seconds left at the current rate; null while unknown. */
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
    this.changed();
  }

  expectTables(tables: number, rows: number): void {
    this.tables.total = tables;
    this.rows.total = rows;
    this.changed();
  }

  expectDocuments(documents: number): void {
    this.documents.total = documents;
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

  documentDone(bytes: number, sentBytes = bytes): void {
    this.documents.done++;
    this.bytes += bytes;
    this.sentBytes += sentBytes;
    this.changed();
  }

  snapshot(): ProgressSnapshot {
    const elapsedMs = Math.max(0, this.now() - this.started);
    const rowsPerSecond = elapsedMs >= 1000 ? this.rowsSent / (elapsedMs / 1000) : 0;
    // Counts are taken when the upload starts; a table that grew since must not show more than 100 %.
    const rowsTotal = Math.max(this.rows.total, this.rows.done);
    const left = rowsTotal - this.rows.done;
    const bytesPerRow = this.rows.done > 0 ? this.bytes / this.rows.done : 0;
    return {
      phase: this.phase,
      tables: { ...this.tables },
      rows: { done: this.rows.done, total: rowsTotal },
      bytes: { done: this.bytes, total: Math.max(this.bytes, Math.round(bytesPerRow * rowsTotal)) },
      sentBytes: this.sentBytes,
      documents: { ...this.documents },
      rowsPerSecond,
      etaSeconds: left === 0 ? 0 : rowsPerSecond > 0 ? Math.ceil(left / rowsPerSecond) : null,
      elapsedMs,
    };
  }

  private changed(): void {
    if (this.listeners.length === 0) return;
    const snapshot = this.snapshot();
    for (const listener of this.listeners) listener(snapshot);
  }
}
