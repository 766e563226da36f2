import {
  MIGRATION_KINDS,
  MIGRATION_STATES,
  OmtError,
  allowedTransitions,
  assertTransition,
  canTransition,
  type MigrationState,
} from './index';

// The expected table is written out here on purpose, independent of the
// implementation, so a change to the state machine has to change both.
const EXPECTED_FORWARD: Record<MigrationState, MigrationState[]> = {
  created: ['enrolled', 'cancelled'],
  enrolled: ['checks_failed', 'ready', 'failed', 'cancelled'],
  checks_failed: ['ready', 'cancelled'],
  ready: ['checks_failed', 'uploading', 'cancelled'],
  uploading: ['importing', 'failed', 'cancelled'],
  importing: ['verifying', 'failed', 'cancelled'],
  verifying: ['configuring', 'verification_failed', 'failed'],
  configuring: ['completed', 'completed_with_missing_documents', 'failed'],
  completed: [],
  completed_with_missing_documents: ['recovering'],
  recovering: ['completed', 'completed_with_missing_documents', 'failed'],
  verification_failed: ['uploading', 'cancelled'],
  failed: ['uploading', 'importing', 'configuring', 'recovering', 'cancelled'],
  cancelled: [],
};
const TEST_RESETTABLE: MigrationState[] = [
  'enrolled',
  'checks_failed',
  'ready',
  'completed',
  'completed_with_missing_documents',
  'verification_failed',
  'failed',
  'cancelled',
];

function expectedAllowed(from: MigrationState, kind: 'test' | 'live'): MigrationState[] {
  const reset: MigrationState[] = kind === 'test' && TEST_RESETTABLE.includes(from) ? ['created'] : [];
  return [...EXPECTED_FORWARD[from], ...reset];
}

const pairs = MIGRATION_KINDS.flatMap((kind) =>
  MIGRATION_STATES.flatMap((from) => MIGRATION_STATES.map((to) => ({ kind, from, to }))),
);

describe('migration state machine', () => {
  it.each(pairs.filter(({ kind, from, to }) => expectedAllowed(from, kind).includes(to)))(
    'allows $kind $from → $to',
    ({ kind, from, to }) => {
      expect(canTransition(from, to, kind)).toBe(true);
      expect(() => assertTransition(from, to, kind)).not.toThrow();
    },
  );

  it.each(pairs.filter(({ kind, from, to }) => !expectedAllowed(from, kind).includes(to)))(
    'forbids $kind $from → $to with a coded error',
    ({ kind, from, to }) => {
      expect(canTransition(from, to, kind)).toBe(false);
      let thrown: unknown;
      try {
        assertTransition(from, to, kind);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(OmtError);
      const error = thrown as OmtError;
      expect(['STATE_TRANSITION_FORBIDDEN', 'LIVE_MIGRATION_COMPLETED']).toContain(error.code);
      expect(error.status).toBe(409);
      expect(error.message).toContain(`'${from}'`);
      expect(error.message).toContain(`'${to}'`);
    },
  );

  it('never lets a completed live migration run again', () => {
    expect(allowedTransitions('completed', 'live')).toEqual([]);
    expect(() => assertTransition('completed', 'created', 'live')).toThrow(
      expect.objectContaining({ code: 'LIVE_MIGRATION_COMPLETED' }),
    );
  });

  it('lets ops reset a completed test migration', () => {
    expect(allowedTransitions('completed', 'test')).toEqual(['created']);
  });
});
