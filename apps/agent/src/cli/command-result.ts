import { OmtError, isOmtError, type ErrorEnvelope } from '@omt/contracts';
import { asSourceError } from '../source/source-errors';

/**
 * What every command returns: `data` is printed for `--json`, `human` for a
 * person, both from one result so they cannot disagree.
 */
export interface CommandResult<T = unknown> {
  data: T;
  human: string;
  /** 0 unless the command says otherwise (2: blocking checks failed). */
  exitCode?: number;
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_BLOCKED = 2;

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processOutput: Output = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export function printResult(result: CommandResult, json: boolean, out: Output): number {
  out.stdout(json ? JSON.stringify(result.data, null, 2) + '\n' : result.human.replace(/\n?$/, '\n'));
  return result.exitCode ?? EXIT_OK;
}

/** Errors become a code and a message a person can act on; never a stack trace. */
export function printError(thrown: unknown, json: boolean, out: Output): number {
  const error = asSourceError(thrown);
  const envelope: ErrorEnvelope = isOmtError(error)
    ? error.toEnvelope()
    : new OmtError('INTERNAL', error instanceof Error ? error.message : String(error)).toEnvelope();
  if (json) out.stdout(JSON.stringify({ error: envelope }, null, 2) + '\n');
  else {
    const details = envelope.details.map((d) => `\n  ${d.path ? `${d.path}: ` : ''}${d.message}`).join('');
    out.stderr(`error [${envelope.code}]: ${envelope.message}${details}\n`);
  }
  return EXIT_ERROR;
}
