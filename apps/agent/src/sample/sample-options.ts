import { OmtError, type CheckId } from '@omt/contracts';

export const SAMPLE_SIZES = ['small', 'medium', 'large'] as const;
export type SampleSize = (typeof SAMPLE_SIZES)[number];

/** Each problem the sample can carry, and the one check that must fire for it. */
export const SAMPLE_PROBLEMS = {
  'duplicate-emails': 'user-email-duplicate',
  'invalid-emails': 'user-email-invalid',
  'no-licensed-admin': 'admin-without-plan',
  travel: 'users-on-travel',
  satellite: 'active-satellites',
  'sentry-prefs': 'sentry-preferences',
  'old-version': 'version-supported',
  'missing-files': 'documents-missing-files',
  'orphan-documents': 'documents-unlinked',
  customizations: 'customizations',
  'customer-service': 'customer-service-mailboxes',
} as const satisfies Record<string, CheckId>;
export type SampleProblem = keyof typeof SAMPLE_PROBLEMS;
export const SAMPLE_PROBLEM_NAMES = Object.keys(SAMPLE_PROBLEMS) as SampleProblem[];

export interface SampleOptions {
  seed: number;
  size: SampleSize;
  problems: readonly SampleProblem[];
  /** The table prefix schema; `crm7` unless given. */
  schema?: string;
  /** Overrides of the size's volumes (the benchmark sizes a sample with `scaledVolumes`). */
  volumes?: Partial<SampleVolumes>;
}

export interface SampleVolumes {
  /** Users beyond the fixed named ones. */
  extraUsers: number;
  contacts: number;
  persons: number;
  appointments: number;
  sales: number;
  projects: number;
  documents: number;
  visibleFor: number;
  preferences: number;
  binaryObjects: number;
  /**
   * Largest `BinaryObject` value (bytea / varbinary(max)); the second row
   * always has exactly this size, the rest are spread below it (most a few
   * KB to a few hundred KB, one in 25 larger). Kept under 4 MiB unless asked
   * (`--blob-mb`): as COPY text a value takes twice its bytes, and one row
   * must fit the agent's 8 MiB batches.
   */
  maxBlobBytes: number;
  /** Largest archive file; sizes are spread log-uniformly from a few bytes up to this. */
  maxFileBytes: number;
  /** When set, every archive file has exactly this size instead (the benchmark's `--doc-kb`). */
  fileBytes?: number;
}

/** The largest in-database blob of a medium or large sample: under 4 MiB (see `maxBlobBytes`). */
export const DEFAULT_MAX_BLOB_BYTES = 3 * 1024 * 1024;

export const SAMPLE_VOLUMES: Record<SampleSize, SampleVolumes> = {
  small: {
    extraUsers: 4,
    contacts: 30,
    persons: 90,
    appointments: 150,
    sales: 40,
    projects: 8,
    documents: 30,
    visibleFor: 40,
    preferences: 40,
    binaryObjects: 5,
    maxBlobBytes: 512 * 1024,
    maxFileBytes: 256 * 1024,
  },
  medium: {
    extraUsers: 40,
    contacts: 3_000,
    persons: 9_000,
    appointments: 12_000,
    sales: 3_000,
    projects: 300,
    documents: 150,
    visibleFor: 2_000,
    preferences: 1_000,
    binaryObjects: 50,
    maxBlobBytes: DEFAULT_MAX_BLOB_BYTES,
    maxFileBytes: 3 * 1024 * 1024,
  },
  large: {
    extraUsers: 150,
    contacts: 60_000,
    persons: 200_000,
    appointments: 400_000,
    sales: 120_000,
    projects: 6_000,
    documents: 400,
    visibleFor: 60_000,
    preferences: 20_000,
    binaryObjects: 500,
    maxBlobBytes: DEFAULT_MAX_BLOB_BYTES,
    maxFileBytes: 4 * 1024 * 1024,
  },
};

/** The volumes a sample is built with: its size's, with the options' overrides on top. */
export function sampleVolumes(options: SampleOptions): SampleVolumes {
  return { ...SAMPLE_VOLUMES[options.size], ...options.volumes };
}

/**
 * Volumes for about `rows` rows in all, spread over the tables in the
 * proportions of a real CRM (appointments and persons dominate); the few
 * rows that follow from these (users' emails, phones) come on top.
 */
export function scaledVolumes(rows: number): Partial<SampleVolumes> {
  const share = (fraction: number) => Math.max(1, Math.round(rows * fraction));
  return {
    contacts: share(0.08),
    persons: share(0.25),
    appointments: share(0.35),
    sales: share(0.1),
    projects: share(0.01),
    visibleFor: share(0.05),
    preferences: share(0.02),
    binaryObjects: Math.min(share(0.0002), 500),
    maxBlobBytes: DEFAULT_MAX_BLOB_BYTES,
  };
}

export function parseSampleSize(text: string): SampleSize {
  if ((SAMPLE_SIZES as readonly string[]).includes(text)) return text as SampleSize;
  throw new OmtError('VALIDATION_FAILED', `Unknown sample size "${text}"; use ${SAMPLE_SIZES.join(', ')}.`);
}

export function parseSampleProblems(text: string | undefined): SampleProblem[] {
  if (!text) return [];
  const names = text.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(n in SAMPLE_PROBLEMS));
  if (unknown.length > 0) {
    throw new OmtError(
      'VALIDATION_FAILED',
      `Unknown sample problem(s) ${unknown.join(', ')}; choose from ${SAMPLE_PROBLEM_NAMES.join(', ')}.`,
    );
  }
  return [...new Set(names)] as SampleProblem[];
}
