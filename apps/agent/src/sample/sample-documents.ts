import { Prng } from './prng';
import { DOCUMENT_KINDS } from './sample-names';
import { sampleVolumes, type SampleOptions } from './sample-options';
import type { SampleUser } from './sample-users';
import { archivePeriod } from '../archive/archive-path';

/** An associate id that no user has: the owner of the "owner missing" orphan. */
export const MISSING_OWNER_ID = 99_999;
/** An appointment id that does not exist: the "no appointment" orphan points here. */
export const MISSING_APPOINTMENT_ID = 999_999;

export interface SampleDocument {
  documentId: number;
  /** The appointment row created for it (same id as the document), or null for the orphan without one. */
  appointmentId: number | null;
  /** What document.appointment_id says. */
  linkedAppointmentId: number;
  ownerAssociateId: number;
  name: string;
  header: string;
  /** `YYYY-MM-DDTHH:MM:SS`, drives the archive period. */
  registered: string;
  /** Where the file lives below the archive root, or null when it is not written. */
  relativePath: string | null;
  bytes: number;
}

export function randomTimestamp(rng: Prng, fromYear: number, toYear: number): string {
  const from = Date.UTC(fromYear, 0, 1);
  const to = Date.UTC(toYear + 1, 0, 1) - 1000;
  return new Date(from + Math.floor(rng.next() * (to - from))).toISOString().slice(0, 19);
}

export function sampleDocuments(options: SampleOptions, users: SampleUser[]): SampleDocument[] {
  const rng = new Prng(`${options.seed}:documents`);
  const volumes = sampleVolumes(options);
  const owners = users.filter((u) => u.type === 0);
  const problems = new Set(options.problems);
  const documents: SampleDocument[] = [];
  // Files the "missing-files" problem leaves off the disk: deterministic, a few of them.
  const missing = new Set(problems.has('missing-files') ? [2, 5, Math.max(6, volumes.documents - 1)] : []);

  for (let id = 1; id <= volumes.documents; id++) {
    const owner = rng.pick(owners);
    const kind = rng.pick(DOCUMENT_KINDS);
    // SO_ARC saves a clashing name as `name(1).ext` and updates the row: the sample has a few of those.
    const name = `${kind.stem} ${id}${id % 17 === 0 ? '(1)' : ''}.${kind.ext}`;
    const registered = randomTimestamp(rng, 2006, 2025);
    const spread = Math.round(Math.exp(Math.log(16) + rng.next() * (Math.log(volumes.maxFileBytes) - Math.log(16))));
    const bytes = volumes.fileBytes ?? spread;
    documents.push({
      documentId: id,
      appointmentId: id,
      linkedAppointmentId: id,
      ownerAssociateId: owner.associateId,
      name,
      header: `${kind.stem} for customer ${id}`,
      registered,
      relativePath: missing.has(id) ? null : `${owner.login}/${archivePeriod(registered)}/${name}`,
      bytes,
    });
  }

  if (problems.has('orphan-documents')) {
    const base = volumes.documents;
    const registered = '2019-03-14T10:00:00';
    const owner = users[0]!;
    documents.push(
      { documentId: base + 1, appointmentId: base + 1, linkedAppointmentId: base + 1, ownerAssociateId: owner.associateId, name: '', header: 'Scanned fax without a name', registered, relativePath: null, bytes: 0 },
      { documentId: base + 2, appointmentId: null, linkedAppointmentId: MISSING_APPOINTMENT_ID, ownerAssociateId: owner.associateId, name: 'Lost link.pdf', header: 'Document whose appointment was deleted', registered, relativePath: null, bytes: 0 },
      { documentId: base + 3, appointmentId: base + 3, linkedAppointmentId: base + 3, ownerAssociateId: MISSING_OWNER_ID, name: 'Ghost owner.docx', header: 'Document of a deleted user', registered, relativePath: null, bytes: 0 },
    );
  }
  return documents;
}
