import type { Column, ColumnType, IndexCondition } from '@omt/contracts';
import { pgColumnType as pgTypeOf } from './pg-column-type';

/**
 * Column structure (defaults, identity) and filter constants as PostgreSQL
 * text. The neutral model holds them as structure, never as SQL: constants
 * become quoted literals cast to the column's type, the few functions a
 * default may call are spelled here, so nothing a source sends is run.
 */

const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;
const NUMERIC_KINDS = new Set(['int16', 'int32', 'int64', 'decimal']);

/**
 * A constant as a literal of the column's type. A plain number for a
 * numeric column is written as the number, as a person (and a source
 * database's own DDL) writes `DEFAULT 0` or `WHERE deleted = 0`, so the
 * tenant's catalog reads as the source's. Anything else is quoted (quotes
 * doubled; standard_conforming_strings is on by default since 9.1, so
 * backslashes are plain characters) and cast, so PostgreSQL itself checks
 * the value.
 */
export function pgLiteral(value: string, type: ColumnType, pgType: string): string {
  if (NUMERIC_KINDS.has(type.kind) && NUMBER.test(value)) return value;
  return `'${value.replace(/'/g, "''")}'::${literalCast(type, pgType)}`;
}

/** The PostgreSQL expression of a column's default, or null when it has none. */
export function defaultPgExpression(column: Column, pgType: string = pgTypeOf(column.type)): string | null {
  const fallback = column.default;
  if (!fallback) return null;
  switch (fallback.kind) {
    case 'literal':
      return pgLiteral(fallback.value, column.type, pgType);
    case 'now':
      // Stored into a column without a zone, now() becomes the session's wall-clock time, as getdate() gives it at the source.
      return castUnlessTemporal(column.type, pgType, 'now()');
    case 'utcNow':
      return column.type.kind === 'timestamptz'
        ? 'now()'
        : castUnlessTemporal(column.type, pgType, "(now() AT TIME ZONE 'utc')");
    case 'today':
      return castUnlessTemporal(column.type, pgType, 'CURRENT_DATE');
    case 'uuid':
      return column.type.kind === 'uuid' ? 'gen_random_uuid()' : `(gen_random_uuid())::${pgType}`;
  }
}

/** Temporal columns take these expressions as they are (PostgreSQL converts); any other type is cast. */
function castUnlessTemporal(type: ColumnType, pgType: string, expression: string): string {
  return ['date', 'time', 'timestamp', 'timestamptz'].includes(type.kind) ? expression : `(${expression})::${pgType}`;
}

const INTEGER_KINDS = new Set(['int16', 'int32', 'int64']);

/** Whether PostgreSQL can make the column an identity column (only smallint, integer and bigint can be). */
export function identityExpressible(column: Column): boolean {
  return !!column.identity && INTEGER_KINDS.has(column.type.kind);
}

/**
 * `GENERATED … AS IDENTITY (…)` for an identity column, or null. Declared
 * with the table: COPY writes the source's values into it either way, as
 * INSERT … OVERRIDING SYSTEM VALUE would.
 */
export function identityPgClause(column: Column): string | null {
  if (!identityExpressible(column)) return null;
  const { generation, start, increment } = column.identity!;
  return `GENERATED ${generation === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY (START WITH ${start} INCREMENT BY ${increment})`;
}

/**
 * The cast of a text literal leaves out the length, as PostgreSQL prints a
 * source's own `DEFAULT ''` (`''::character varying`, `'x'::bpchar`); the
 * column still checks the length on insert. `bpchar`, not `character`, which
 * would mean character(1) and cut the value.
 */
function literalCast(type: ColumnType, pgType: string): string {
  if (type.kind !== 'text') return pgType;
  if (type.fixed) return 'bpchar';
  return pgType.startsWith('varchar') ? 'varchar' : 'text';
}

/** A filter condition on a column of this type. */
export function conditionPg(quotedColumn: string, condition: IndexCondition, type: ColumnType): string {
  const pgType = pgTypeOf(type);
  switch (condition.op) {
    case 'isNull':
      return `${quotedColumn} IS NULL`;
    case 'isNotNull':
      return `${quotedColumn} IS NOT NULL`;
    default:
      return `${quotedColumn} ${condition.op} ${pgLiteral(condition.value ?? '', type, pgType)}`;
  }
}
