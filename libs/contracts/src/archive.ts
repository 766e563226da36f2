import { z } from 'zod';

/**
 * Why a document row can or cannot be migrated, in the order they are
 * tested: a row without a name has no file to look for; without an
 * appointment or its owner there is no archive folder to look in.
 */
export const documentStatusSchema = z.enum(['ok', 'missing-file', 'blank-name', 'no-appointment', 'owner-missing']);
export type DocumentStatus = z.infer<typeof documentStatusSchema>;
export const DOCUMENT_STATUSES = documentStatusSchema.options;

export const archiveDocumentSchema = z.object({
  documentId: z.number().int(),
  name: z.string(),
  /** Path relative to the archive root with `/` separators; null when it cannot be derived. */
  relativePath: z.string().nullable(),
  status: documentStatusSchema,
  /** Size of the file on disk; 0 unless the status is `ok`. */
  bytes: z.number().int().nonnegative(),
});
export type ArchiveDocument = z.infer<typeof archiveDocumentSchema>;

export const archiveTotalSchema = z.object({
  documents: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

export const archiveScanSchema = z.object({
  root: z.string(),
  documents: z.array(archiveDocumentSchema),
  totals: z.record(documentStatusSchema, archiveTotalSchema),
});
export type ArchiveScan = z.infer<typeof archiveScanSchema>;
