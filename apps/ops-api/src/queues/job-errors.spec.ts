import { gunzipSync } from 'node:zlib';
import { UnrecoverableError } from 'bullmq';
import { OmtError } from '@omt/contracts';
import { PermanentImportError, classifyImportError, connectionSurvives, toJobError } from './job-errors';

const pgError = (code: string, message = 'boom', where?: string) =>
  Object.assign(new Error(message), { code, where, severity: 'ERROR' });

describe('import error classification', () => {
  it.each([
    ['22P02', 'invalid text representation'],
    ['22P04', 'bad COPY file format'],
    ['22003', 'numeric value out of range'],
    ['22021', 'invalid UTF-8'],
    ['23502', 'NOT NULL violation'],
    ['23505', 'duplicate key'],
    ['42703', 'undefined column'],
    ['42P01', 'undefined table'],
  ])('%s (%s) is permanent', (code) => {
    expect(classifyImportError(pgError(code))).toBe('permanent');
  });

  it.each([
    ['57P01', 'terminated by administrator'],
    ['08006', 'connection failure'],
    ['40P01', 'deadlock'],
    ['53300', 'too many connections'],
  ])('%s (%s) is transient', (code) => {
    expect(classifyImportError(pgError(code))).toBe('transient');
  });

  it('treats network errors and unknown errors as transient, our own coded errors by status', () => {
    expect(classifyImportError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe('transient');
    expect(classifyImportError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }))).toBe('transient');
    expect(classifyImportError(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(classifyImportError(new OmtError('CHECKSUM_MISMATCH', 'x'))).toBe('permanent');
    expect(classifyImportError(new OmtError('SERVICE_UNAVAILABLE', 'x'))).toBe('transient');
    expect(classifyImportError(new UnrecoverableError('x'))).toBe('permanent');
  });

  it('turns permanent failures into UnrecoverableError with context and position, and leaves transient ones alone', () => {
    const bad = toJobError(
      pgError('22P02', 'invalid input syntax for type integer: "x"', 'COPY contact, line 2, column id: "x"'),
      'Batch 3 of table "contact"',
    );
    expect(bad).toBeInstanceOf(UnrecoverableError);
    expect(bad).toBeInstanceOf(PermanentImportError);
    expect((bad as PermanentImportError).code).toBe('VALIDATION_FAILED');
    expect(bad.message).toBe(
      'Batch 3 of table "contact": invalid input syntax for type integer: "x" (COPY contact, line 2, column id: "x").',
    );
    const transient = pgError('57P01');
    expect(toJobError(transient, 'ctx')).toBe(transient);
  });

  it('treats bytes that are not a whole gzip stream as a corrupt batch', () => {
    const damaged = (() => {
      try {
        gunzipSync(Buffer.from('not gzip at all'));
      } catch (error) {
        return error;
      }
      throw new Error('expected gunzip to fail');
    })();
    expect(classifyImportError(damaged)).toBe('permanent');
    const error = toJobError(damaged, 'Batch 1 of table "person"') as PermanentImportError;
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toMatch(/^Batch 1 of table "person" is corrupt: it is not a whole gzip stream \(incorrect header check\)/);
  });

  it('knows when a connection can still roll back', () => {
    expect(connectionSurvives(pgError('22P02'))).toBe(true);
    expect(connectionSurvives(pgError('57P01'))).toBe(false);
    expect(connectionSurvives(pgError('08006'))).toBe(false);
    expect(connectionSurvives(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(false);
    expect(connectionSurvives(new Error('Connection terminated unexpectedly'))).toBe(false);
  });
});
