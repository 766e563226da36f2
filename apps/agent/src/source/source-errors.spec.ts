import { OmtError } from '@omt/contracts';
import { Client } from 'pg';
import { asSourceError } from './source-errors';

describe('asSourceError', () => {
  it('names a refused connection as SOURCE_UNREACHABLE with what to check', async () => {
    // A real refused connection: nothing listens on port 1 of loopback.
    const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:1/x' });
    const failure = await client.connect().then(
      () => null,
      (error: unknown) => error,
    );
    const mapped = asSourceError(failure);
    expect(mapped).toBeInstanceOf(OmtError);
    expect((mapped as OmtError).code).toBe('SOURCE_UNREACHABLE');
    expect((mapped as OmtError).message).toContain('nothing listens at that address and port');
    expect((mapped as OmtError).message).toContain('--source');
  });

  it('names a missing database', () => {
    const error = Object.assign(new Error('database "nope" does not exist'), { code: '3D000' });
    expect((asSourceError(error) as OmtError).message).toContain('the database does not exist');
  });

  it('leaves other errors alone', () => {
    const error = new Error('boom');
    expect(asSourceError(error)).toBe(error);
    const coded = new OmtError('CHECKS_BLOCKING', 'x');
    expect(asSourceError(coded)).toBe(coded);
  });
});
