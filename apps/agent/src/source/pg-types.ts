import type { ColumnType } from '@omt/contracts';

/**
 * Maps a PostgreSQL type, as `format_type()` prints it, to the neutral model;
 * null when omt cannot carry it. Unconstrained `numeric` has no fixed scale
 * the tenant table could declare, so it is refused rather than guessed.
 */
export function neutralTypeFromPg(formatted: string): ColumnType | null {
  const t = formatted.toLowerCase().trim();
  const withLength = /^(character varying|varchar)\((\d+)\)$/.exec(t);
  if (withLength) return { kind: 'text', maxLength: Number(withLength[2]) };
  // character(n) is blank-padded and compared without trailing blanks: kept fixed-length on the tenant.
  const fixed = /^(character|char|bpchar)\((\d+)\)$/.exec(t);
  if (fixed) return { kind: 'text', maxLength: Number(fixed[2]), fixed: true };
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(t);
  if (numeric) return { kind: 'decimal', precision: Number(numeric[1]), scale: Number(numeric[2]) };
  switch (t) {
    case 'smallint':
      return { kind: 'int16' };
    case 'integer':
      return { kind: 'int32' };
    case 'bigint':
      return { kind: 'int64' };
    case 'real':
      return { kind: 'float32' };
    case 'double precision':
      return { kind: 'float64' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'text':
    case 'character varying':
      return { kind: 'text', maxLength: null };
    case 'bytea':
      return { kind: 'binary', maxLength: null };
    case 'date':
      return { kind: 'date' };
    case 'time without time zone':
      return { kind: 'time' };
    case 'timestamp without time zone':
      return { kind: 'timestamp' };
    case 'timestamp with time zone':
      return { kind: 'timestamptz' };
    case 'uuid':
      return { kind: 'uuid' };
    default:
      return null;
  }
}

/** The tenant side of the mapping lives with the worker's DDL in @omt/copy-text. */
export { pgColumnType } from '@omt/copy-text';
