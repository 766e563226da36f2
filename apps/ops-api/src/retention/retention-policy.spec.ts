import { dueCutoff, isPurgeable, purgeAt } from './retention-policy';

describe('retention policy', () => {
  const entered = new Date('2026-12-05T14:00:00.000Z');

  it('purges completed and cancelled tickets after the grace period, fractions of hours included', () => {
    expect(purgeAt('completed', entered, 72)?.toISOString()).toBe('2026-12-08T14:00:00.000Z');
    expect(purgeAt('cancelled', entered, 0.5)?.toISOString()).toBe('2026-12-05T14:30:00.000Z');
    expect(dueCutoff(new Date('2026-12-08T14:00:00.000Z'), 72).getTime()).toBe(entered.getTime());
  });

  it('keeps the working copies of a ticket completed with missing documents, and of one still moving', () => {
    for (const state of [
      'completed_with_missing_documents',
      'recovering',
      'uploading',
      'failed',
      'verification_failed',
    ] as const) {
      expect(isPurgeable(state)).toBe(false);
      expect(purgeAt(state, entered, 72)).toBeNull();
    }
  });
});
