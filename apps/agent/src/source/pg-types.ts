import type { ColumnType } from '@omt/contracts';

/**
 * Maps a PostgreSQL type, as `format_type()` prints it, to the neutral model;
 * null when omt cannot carry it. Unconstrained `numeric` has no fixed scale
 * the tenant table could declare, so it is refused rather than guessed.
 */
export function neutralTypeFromPg(formatted: string): ColumnType | null {
  const t = formatted.toLowerCase().trim();
  const withLength = /^(character varying|varchar|character|char|bpchar)\((\d+)\)$/.exec(t);
  if (withLength) return { kind: 'text', maxLength: Number(withLength[2]) };
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

/**
 * The PostgreSQL column type a tenant table declares for a neutral type.
 * Binary lengths are not enforced by bytea; PostgreSQL's varchar limit is far
 * above SQL Server's, so text lengths carry over as they are.
 */
export function pgColumnType(type: ColumnType): string {
  switch (type.kind) {
    case 'int16':
      return 'smallint';
    case 'int32':
      return 'integer';
    case 'int64':
      return 'bigint';
    case 'decimal':
      return `numeric(${type.precision},${type.scale})`;
    case 'float32':
      return 'real';
    case 'float64':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    case 'text':
      return type.maxLength === null ? 'text' : `varchar(${type.maxLength})`;
    case 'binary':
      return 'bytea';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'timestamp':
      return 'timestamp';
    case 'timestamptz':
      return 'timestamptz';
    case 'uuid':
      return 'uuid';
  }
}
