import type { TicketRetention } from '@omt/contracts';
import { workingCopiesLine, workingCopiesTitle } from './working-copies';

const held: TicketRetention = {
  batchFiles: 40,
  batchBytes: 9_000_000,
  uploadFiles: 3,
  uploadBytes: 3_000_000,
  purgeAt: null,
  purgedAt: null,
};

describe('workingCopiesLine', () => {
  it('says how much is held and until when once the ticket is completed', () => {
    expect(workingCopiesLine({ ...held, purgeAt: '2026-12-08T14:00:00.000Z' }, 'completed', 'UTC')).toBe(
      '12 MB held until 8 Dec 14:00',
    );
  });

  it('says when the copies were deleted', () => {
    const purged = {
      ...held,
      batchFiles: 0,
      batchBytes: 0,
      uploadFiles: 0,
      uploadBytes: 0,
      purgedAt: '2026-12-08T14:05:00.000Z',
    };
    expect(workingCopiesLine(purged, 'completed', 'UTC')).toBe('deleted 8 Dec');
  });

  it('holds them without a date while the migration runs, or while recovery may need them', () => {
    expect(workingCopiesLine(held, 'importing', 'UTC')).toBe('12 MB held while the migration runs');
    expect(workingCopiesLine(held, 'completed_with_missing_documents', 'UTC')).toBe(
      '12 MB held while missing documents may still be recovered',
    );
  });

  it('says none are held before anything arrived', () => {
    expect(
      workingCopiesLine({ ...held, batchFiles: 0, uploadFiles: 0, batchBytes: 0, uploadBytes: 0 }, 'created'),
    ).toBe('none held');
  });

  it('names what the bytes are in the hover text', () => {
    expect(workingCopiesTitle(held)).toBe(
      "40 batch file(s), 3 document upload(s); the tenant's own data is never deleted",
    );
  });
});
