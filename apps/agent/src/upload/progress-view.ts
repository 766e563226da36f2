import { SingleBar } from 'cli-progress';
import { formatBytes, formatDuration, formatRate } from '../text/format';
import type { ProgressSnapshot, UploadProgress } from './upload-progress';

/** How the terminal shows the upload: a live bar on a terminal, a line now and then in a log, nothing with --json. */
export type ProgressStyle = 'bar' | 'lines' | 'silent';

export interface ProgressView {
  /** A line of narrative (the mode, a retry, a phase) that must not tear the bar. */
  say(text: string): void;
  stop(): void;
}

export function progressStyleFor(json: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressStyle {
  if (json) return 'silent';
  return stream.isTTY ? 'bar' : 'lines';
}

/** One line for logs and for the end of a phase. */
export function formatProgressLine(s: ProgressSnapshot): string {
  if (s.phase === 'documents') {
    return [
      `documents: ${s.documents.done}/${s.documents.total}`,
      `${formatBytes(s.documentBytes.done)} of ${formatBytes(s.documentBytes.total)} (${percentOf(s.documentBytes)} %)`,
      `ETA ${formatDuration(s.etaSeconds)}`,
    ].join(', ');
  }
  const parts = [
    `${s.phase}: tables ${s.tables.done}/${s.tables.total}`,
    `rows ${s.rows.done}/${s.rows.total} (${percentOf(s.rows)} %)`,
    `${formatBytes(s.bytes.done)} read, ${formatBytes(s.sentBytes)} sent`,
    formatRate(s.rowsPerSecond),
    `ETA ${formatDuration(s.etaSeconds)}`,
  ];
  if (s.documents.total > 0) parts.splice(1, 0, `documents ${s.documents.done}/${s.documents.total}`);
  return parts.join(', ');
}

function percentOf(c: { done: number; total: number }): number {
  return c.total > 0 ? Math.floor((100 * c.done) / c.total) : 100;
}

/**
 * Shows an UploadProgress in the chosen style on `stream` (stderr, so the
 * final result on stdout stays clean).
 */
export function showProgress(
  progress: UploadProgress,
  style: ProgressStyle,
  stream: NodeJS.WriteStream = process.stderr,
  intervalMs = 5000,
): ProgressView {
  if (style === 'silent') return { say: () => undefined, stop: () => undefined };
  if (style === 'lines') {
    const timer = setInterval(() => stream.write(formatProgressLine(progress.snapshot()) + '\n'), intervalMs);
    timer.unref();
    return {
      say: (text) => void stream.write(text.replace(/\n?$/, '\n')),
      stop: () => {
        clearInterval(timer);
        stream.write(formatProgressLine(progress.snapshot()) + '\n');
      },
    };
  }
  const bar = new SingleBar({
    stream,
    format: '{phase} |{bar}| {percentage}% | {counts} | {mb} | {rate} | ETA {eta_text}',
    hideCursor: true,
    barsize: 24,
    etaBuffer: 50,
    fps: 5,
  });
  // The tables phase moves with rows, the documents phase with bytes.
  const position = (s: ProgressSnapshot) => (s.phase === 'documents' ? s.documentBytes : s.rows);
  const payload = (s: ProgressSnapshot) =>
    s.phase === 'documents'
      ? {
          phase: s.phase.padEnd(9),
          counts: `${s.documents.done}/${s.documents.total} documents`,
          mb: `${formatBytes(s.documentBytes.done)} of ${formatBytes(s.documentBytes.total)}`,
          rate: `${formatBytes(s.documentBytesPerSecond)}/s`,
          eta_text: formatDuration(s.etaSeconds),
        }
      : {
          phase: s.phase.padEnd(9),
          counts: `${s.tables.done}/${s.tables.total} tables | ${s.rows.done}/${s.rows.total} rows`,
          mb: formatBytes(s.bytes.done),
          rate: formatRate(s.rowsPerSecond),
          eta_text: formatDuration(s.etaSeconds),
        };
  const first = progress.snapshot();
  bar.start(Math.max(1, position(first).total), position(first).done, payload(first));
  progress.onChange((s) => {
    bar.setTotal(Math.max(1, position(s).total));
    bar.update(position(s).done, payload(s));
  });
  return {
    say: (text) => {
      // cli-progress redraws on its own line; a message goes above it.
      stream.write('\r\x1b[2K' + text.replace(/\n?$/, '\n'));
      bar.render();
    },
    stop: () => bar.stop(),
  };
}
