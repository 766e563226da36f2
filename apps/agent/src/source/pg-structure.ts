import type {
  ColumnDefault,
  ColumnType,
  Identity,
  IndexCondition,
  IndexDefinition,
  IndexKey,
  UntranslatedStructure,
} from '@omt/contracts';
import { keywordOf, tryParseExpression, type Expr } from './sql-expression';
import { bareConstant, literalFor, refused, translated, type Translation } from './structure-literals';

/**
 * Reads the stand-in PostgreSQL source's defaults, index keys and index
 * filters as pg_get_expr/pg_get_indexdef print them (pretty), against a
 * strict grammar: what does not match is refused with a reason.
 */

const NOW_FUNCTIONS = new Set(['now', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp']);
const UUID_FUNCTIONS = new Set(['gen_random_uuid', 'uuid_generate_v4']);
const TEXT_TYPES = new Set(['text', 'character varying', 'varchar', 'bpchar', 'character', 'name']);

function isCall(expr: Expr, names: Set<string>): boolean {
  return expr.kind === 'call' && expr.name.length === 1 && names.has(expr.name[0]!.toLowerCase()) && expr.args.length === 0;
}

function isNow(expr: Expr): boolean {
  const word = keywordOf(expr);
  return isCall(expr, NOW_FUNCTIONS) || word === 'CURRENT_TIMESTAMP' || word === 'LOCALTIMESTAMP';
}

function isUtcZone(expr: Expr): boolean {
  const zone = expr.kind === 'cast' && TEXT_TYPES.has(expr.type) ? expr.expr : expr;
  return zone.kind === 'string' && /^(utc|z|zulu|gmt|etc\/utc)$/i.test(zone.value);
}

/** A constant, bare or under one cast (`'x'::character varying`, `'-1'::integer`). */
function constantOf(expr: Expr) {
  return bareConstant(expr.kind === 'cast' ? expr.expr : expr);
}

/** A column default; null when the default is NULL (the same as none). */
export function pgDefaultOf(text: string, type: ColumnType): Translation<ColumnDefault | null> {
  const expr = tryParseExpression(text, 'postgres');
  if ('error' in expr) return refused(expr.error);
  if (isNow(expr)) return translated({ kind: 'now' });
  if (keywordOf(expr) === 'CURRENT_DATE') return translated({ kind: 'today' });
  if (expr.kind === 'cast' && expr.type === 'date' && isNow(expr.expr)) return translated({ kind: 'today' });
  if (isCall(expr, UUID_FUNCTIONS)) return translated({ kind: 'uuid' });
  if (expr.kind === 'atTimeZone' && isNow(expr.expr) && isUtcZone(expr.zone)) return translated({ kind: 'utcNow' });
  // PostgreSQL 15 and older print AT TIME ZONE as timezone(zone, value).
  if (expr.kind === 'call' && expr.name.length === 1 && expr.name[0]!.toLowerCase() === 'timezone' && expr.args.length === 2) {
    if (isUtcZone(expr.args[0]!) && isNow(expr.args[1]!)) return translated({ kind: 'utcNow' });
  }
  if (keywordOf(expr.kind === 'cast' ? expr.expr : expr) === 'NULL') return translated(null);
  const constant = constantOf(expr);
  if (constant) {
    const literal = literalFor(constant, type);
    return literal.ok ? translated({ kind: 'literal', value: literal.value }) : literal;
  }
  if (expr.kind === 'call' && expr.name.at(-1)!.toLowerCase() === 'nextval') {
    return refused('takes numbers from a sequence that does not belong to this column');
  }
  return refused('an expression the tenant cannot be given: only constants, the current time or date and new uuids are carried');
}

/** `col`, or `col::text` (PostgreSQL prints the implicit cast of a varchar column to text). */
function columnOf(expr: Expr, columns: ReadonlyMap<string, ColumnType | null>): string | null {
  if (expr.kind === 'cast' && TEXT_TYPES.has(expr.type.replace(/\(.*\)$/, ''))) {
    const name = columnOf(expr.expr, columns);
    return name !== null && columns.get(name)?.kind === 'text' ? name : null;
  }
  if (expr.kind !== 'name') return null;
  if (!expr.quoted && ['TRUE', 'FALSE', 'NULL'].includes(expr.name.toUpperCase())) return null;
  return columns.has(expr.name) ? expr.name : null;
}

/** An expression key of an index: only lower(col) and upper(col) have a neutral form. */
export function pgIndexKeyOf(
  text: string,
  descending: boolean,
  columns: ReadonlyMap<string, ColumnType | null>,
): Translation<IndexKey> {
  const expr = tryParseExpression(text, 'postgres');
  if ('error' in expr) return refused(`key ${text}: ${expr.error}`);
  if (expr.kind === 'call' && expr.name.length === 1 && expr.args.length === 1) {
    const fn = expr.name[0]!.toLowerCase();
    const column = columnOf(expr.args[0]!, columns);
    if ((fn === 'lower' || fn === 'upper') && column !== null) return translated({ column, descending, function: fn });
  }
  return refused(`key ${text} is an expression; only columns and lower()/upper() of a column are carried`);
}

const OPERATORS: Record<string, IndexCondition['op']> = { '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const FLIPPED: Record<string, IndexCondition['op']> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** A partial index's predicate as conditions joined by AND. */
export function pgFilterOf(text: string, columns: ReadonlyMap<string, ColumnType | null>): Translation<IndexCondition[]> {
  const expr = tryParseExpression(text, 'postgres');
  if ('error' in expr) return refused(`filter: ${expr.error}`);
  const conditions: IndexCondition[] = [];
  for (const part of expr.kind === 'and' ? expr.args : [expr]) {
    const condition = conditionOf(part, columns);
    if (!condition.ok) return refused(`filter ${text}: ${condition.reason}`);
    conditions.push(condition.value);
  }
  return translated(conditions);
}

function conditionOf(expr: Expr, columns: ReadonlyMap<string, ColumnType | null>): Translation<IndexCondition> {
  if (expr.kind === 'isNull') {
    const column = columnOf(expr.expr, columns);
    if (column !== null) return translated({ column, op: expr.not ? 'isNotNull' : 'isNull' });
  }
  // A boolean column on its own (`active`, `NOT active`) is a comparison with true/false.
  const negated = expr.kind === 'not' ? expr.expr : null;
  const bare = columnOf(negated ?? expr, columns);
  if (bare !== null && columns.get(bare)?.kind === 'boolean') return translated({ column: bare, op: '=', value: negated ? 'f' : 't' });
  if (expr.kind === 'binaryOp' && OPERATORS[expr.op]) {
    const op = OPERATORS[expr.op]!;
    const [column, constant, finalOp] =
      columnOf(expr.left, columns) !== null
        ? [columnOf(expr.left, columns)!, constantOf(expr.right), op]
        : [columnOf(expr.right, columns), constantOf(expr.left), FLIPPED[op]!];
    if (column !== null && constant) {
      const value = literalFor(constant, columns.get(column)!);
      if (!value.ok) return value;
      return translated({ column, op: finalOp, value: value.value });
    }
  }
  return refused('only "column IS [NOT] NULL" and "column <op> constant" joined by AND are carried');
}

/** One row of PG_INDEXES_SQL. */
export interface PgIndexRow {
  table_name: string;
  index_name: string;
  is_unique: boolean;
  constraint_type: 'u' | 'x' | null;
  method: string;
  key_count: number;
  predicate: string | null;
  definition: string;
  position: number;
  column_name: string | null;
  key_text: string;
  descending: boolean;
  nulls_first: boolean;
  custom_opclass: boolean;
  custom_collation: boolean;
}

export interface TableStructure {
  indexes: IndexDefinition[];
  untranslated: UntranslatedStructure[];
}

/** The indexes of one table from its PG_INDEXES_SQL rows (in index, then position order). */
export function pgIndexesOf(rows: readonly PgIndexRow[], columns: ReadonlyMap<string, ColumnType | null>): TableStructure {
  const result: TableStructure = { indexes: [], untranslated: [] };
  const byIndex = new Map<string, PgIndexRow[]>();
  for (const row of rows) byIndex.set(row.index_name, [...(byIndex.get(row.index_name) ?? []), row]);
  for (const [name, parts] of byIndex) {
    const first = parts[0]!;
    const index = pgIndexOf(name, parts, columns);
    if (index.ok) result.indexes.push(index.value);
    else {
      const object = first.constraint_type ? 'constraint' : 'index';
      result.untranslated.push({ object, name, definition: first.definition.slice(0, 4000), reason: index.reason });
    }
  }
  return result;
}

function pgIndexOf(name: string, parts: readonly PgIndexRow[], columns: ReadonlyMap<string, ColumnType | null>): Translation<IndexDefinition> {
  const first = parts[0]!;
  if (first.constraint_type === 'x') return refused('exclusion constraint; the tenant carries unique constraints and indexes only');
  if (first.method !== 'btree') return refused(`${first.method} index; the tenant is given b-tree indexes only`);
  const keys: IndexKey[] = [];
  const include: string[] = [];
  for (const part of parts) {
    if (part.position > first.key_count) {
      include.push(part.column_name ?? part.key_text);
      continue;
    }
    if (part.custom_opclass) return refused(`key ${part.key_text} uses a non-default operator class`);
    if (part.custom_collation) return refused(`key ${part.key_text} uses a collation other than its column's`);
    // ASC sorts NULLs last and DESC first by default; anything else the neutral model cannot say.
    if (part.nulls_first !== part.descending) return refused(`key ${part.key_text} declares NULLS ${part.nulls_first ? 'FIRST' : 'LAST'}`);
    if (part.column_name !== null) keys.push({ column: part.column_name, descending: part.descending });
    else {
      const key = pgIndexKeyOf(part.key_text, part.descending, columns);
      if (!key.ok) return key;
      keys.push(key.value);
    }
  }
  let filter: IndexCondition[] = [];
  if (first.predicate !== null) {
    const parsed = pgFilterOf(first.predicate, columns);
    if (!parsed.ok) return parsed;
    filter = parsed.value;
  }
  return translated({ name, unique: first.is_unique, constraint: first.constraint_type === 'u', keys, include, filter });
}

/** One row of PG_COLUMNS_SQL. */
export interface PgColumnRow {
  table_name: string;
  column_name: string;
  native_type: string;
  nullable: boolean;
  default_expr: string | null;
  /** attidentity: 'a' ALWAYS, 'd' BY DEFAULT, '' none. */
  identity: string;
  /** attgenerated: 's' stored generated column, '' none. */
  generated: string;
  sequence_schema: string | null;
  sequence_name: string | null;
  sequence_ref: string | null;
  /** pg_depend type: 'i' the identity's own sequence, 'a' a sequence owned by the column (serial). */
  sequence_link: 'a' | 'i' | null;
  sequence_start: string | null;
  sequence_increment: string | null;
}

/** A sequence's state as `SELECT last_value, is_called FROM seq` reads it. */
export interface SequenceState {
  last_value: string;
  is_called: boolean;
}

export interface ColumnStructure {
  default: ColumnDefault | null;
  identity: Identity | null;
  untranslated: UntranslatedStructure[];
}

/** Whether the column numbers its rows from a sequence of its own (identity or serial). */
export function pgNumberingSequence(row: PgColumnRow): { schema: string; name: string } | null {
  if (row.sequence_schema === null || row.sequence_name === null) return null;
  if (row.sequence_link === 'i' && row.identity !== '') return { schema: row.sequence_schema, name: row.sequence_name };
  return isSerialDefault(row) ? { schema: row.sequence_schema, name: row.sequence_name } : null;
}

/** serial/bigserial: the default is nextval() of the sequence the column owns, exactly as PostgreSQL prints it. */
function isSerialDefault(row: PgColumnRow): boolean {
  if (row.sequence_link !== 'a' || row.sequence_ref === null || row.identity !== '') return false;
  return row.default_expr === `nextval('${row.sequence_ref.replace(/'/g, "''")}'::regclass)`;
}

/**
 * A column's default and identity. A serial column becomes an identity BY
 * DEFAULT (what serial is, declared the modern way) with its sequence's
 * next value; a generated column's values travel as data and its
 * expression is reported.
 */
export function pgColumnStructureOf(row: PgColumnRow, type: ColumnType | null, sequence: SequenceState | null): ColumnStructure {
  const none: ColumnStructure = { default: null, identity: null, untranslated: [] };
  if (row.generated !== '' && row.default_expr !== null) {
    const reason = 'a generated column: its values are carried as data, the tenant column is not computed';
    return { ...none, untranslated: [{ object: 'default', name: row.column_name, definition: `GENERATED ALWAYS AS (${row.default_expr}) STORED`, reason }] };
  }
  if (pgNumberingSequence(row) && row.sequence_start !== null && row.sequence_increment !== null) {
    const generation = row.identity === 'a' ? 'always' : 'byDefault';
    const next = sequence ? nextSequenceValue(row.sequence_start, row.sequence_increment, sequence) : null;
    return { ...none, identity: { generation, start: row.sequence_start, increment: row.sequence_increment, next } };
  }
  if (row.default_expr === null || type === null) return none;
  const parsed = pgDefaultOf(row.default_expr, type);
  if (parsed.ok) return { ...none, default: parsed.value };
  return { ...none, untranslated: [{ object: 'default', name: row.column_name, definition: row.default_expr.slice(0, 4000), reason: parsed.reason }] };
}

/**
 * The value nextval() would return: last_value plus the increment once the
 * sequence has been used, last_value itself before (also after ALTER
 * SEQUENCE RESTART); null when it has never numbered a row and would start
 * at its start value. BigInt: sequences run to 2^63.
 */
export function nextSequenceValue(start: string, increment: string, state: SequenceState): string | null {
  if (!state.is_called) return state.last_value === start ? null : state.last_value;
  return (BigInt(state.last_value) + BigInt(increment)).toString();
}
