import type { ColumnType } from '@omt/contracts';

/** PostgreSQL's largest `varchar(n)` / `char(n)` length (and `bit(n)`'s, which the neutral model has no use for). */
export const PG_MAX_TEXT_LENGTH = 10_485_760;
/** PostgreSQL's largest `numeric(p,s)` precision and scale. */
export const PG_MAX_NUMERIC_PRECISION = 1000;

/**
 * The PostgreSQL column type a tenant table declares for a neutral type.
 * A declaration PostgreSQL refuses would fail the whole ticket for a column
 * whose values it can hold, so such types widen to one that holds every
 * value: text lengths beyond its limit become `text`, precisions beyond its
 * limit unconstrained `numeric` (which keeps each value's digits and scale,
 * so the COPY text read back is the same). Binary lengths are not enforced
 * by bytea.
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
      return type.precision > PG_MAX_NUMERIC_PRECISION || type.scale > PG_MAX_NUMERIC_PRECISION
        ? 'numeric'
        : `numeric(${type.precision},${type.scale})`;
    case 'float32':
      return 'real';
    case 'float64':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    case 'text':
      if (type.maxLength === null || type.maxLength > PG_MAX_TEXT_LENGTH) return 'text';
      return type.fixed ? `character(${type.maxLength})` : `varchar(${type.maxLength})`;
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
