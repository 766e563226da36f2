import type { ArchiveScan, TableSchema, UploadManifest } from '@omt/contracts';
import { describeLeftToSend, leftToSend } from './left-to-send';

const table = (name: string, rows: number) => ({ schema: { name, columns: [], primaryKey: [] } as TableSchema, rows });
const planned = [table('contact', 10), table('person', 20), table('sale', 30)];
const sha = 'a'.repeat(64);
const scan = {
  root: '/arc',
  totals: {} as ArchiveScan['totals'],
  documents: [
    { documentId: 1, name: 'a.doc', relativePath: 'UA/2024.1/a.doc', status: 'ok', bytes: 5 },
    { documentId: 2, name: 'b.doc', relativePath: 'UA/2024.1/b.doc', status: 'ok', bytes: 7 },
    { documentId: 3, name: '', relativePath: null, status: 'blank-name', bytes: 0 },
  ],
} as ArchiveScan;
const manifest = (complete: string[], documents: number[]): UploadManifest => ({
  limits: null,
  tables: planned.map((t) => ({ name: t.schema.name, batches: [], complete: complete.includes(t.schema.name) })),
  documents: scan.documents
    .filter((d) => documents.includes(d.documentId))
    .map((d) => ({ documentId: d.documentId, relativePath: d.relativePath!, sha256: sha, bytes: d.bytes })),
  missingDocuments: [],
  uploadComplete: false,
});

it('says nothing is left when every table is complete and every document landed', () => {
  const left = leftToSend(manifest(['contact', 'person', 'sale'], [1, 2]), planned, scan);
  expect(left).toEqual({ tables: [], rows: 0, documents: 0 });
  const line = describeLeftToSend(left, planned, 4);
  expect(line).toMatch(/^Nothing is left to upload/);
  expect(line).not.toMatch(/Uploading/);
});

it('counts only the tables and documents still missing', () => {
  const left = leftToSend(manifest(['contact'], [1]), planned, scan);
  expect(left.tables.map((t) => t.schema.name)).toEqual(['person', 'sale']);
  expect(left).toMatchObject({ rows: 50, documents: 1 });
  expect(describeLeftToSend(left, planned, 2)).toBe(
    'Uploading 2 of 3 tables (50 rows), 2 at a time, then 1 document(s)…',
  );
  expect(describeLeftToSend(leftToSend(manifest(['contact', 'person', 'sale'], []), planned, scan), planned, 2)).toBe(
    'All 3 tables landed in an earlier run; uploading the 2 document(s) left…',
  );
});

it('announces a first upload as it is', () => {
  const left = leftToSend(manifest([], []), planned, null);
  expect(describeLeftToSend(left, planned, 4)).toBe('Uploading 3 tables (60 rows), 4 at a time…');
});

it('sends a landed document again when its file changed size or place', () => {
  const moved = manifest(['contact', 'person', 'sale'], [1, 2]);
  moved.documents[1] = { ...moved.documents[1]!, bytes: 8 };
  expect(leftToSend(moved, planned, scan).documents).toBe(1);
});
