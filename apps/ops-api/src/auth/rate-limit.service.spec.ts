import { ACCOUNT_SLOWDOWN, slowDownMs } from './rate-limit.service';

describe('slowDownMs: the wait before a login on an account guessed from many clients', () => {
  it('lets a person mistype a few times without waiting', () => {
    for (let failures = 0; failures <= ACCOUNT_SLOWDOWN.freeFailures; failures++) expect(slowDownMs(failures)).toBe(0);
  });

  it('then waits 250 ms, doubling up to 4 s, and never longer', () => {
    const after = (extra: number) => slowDownMs(ACCOUNT_SLOWDOWN.freeFailures + extra);
    expect([1, 2, 3, 4, 5, 6, 1000].map(after)).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
  });
});
