import type { ColumnDefault, ColumnType, Identity, IndexCondition, IndexDefinition, IndexKey, UntranslatedStructure } from '@omt/contracts';
import { keywordOf, tryParseExpression, type Expr } from './sql-expression';
import { bareConstant, literalFor, refused, translated, type Translation } from './structure-literals';
import { quoteMssql } from './sql-identifiers';
import { neutralTypeFromMssql } from './mssql-types';
import type { IntrospectedTable } from './source-connector';

/**
 * SQL Server's declared structure (sys.default_constraints,
 * sys.identity_columns, sys.indexes) in the neutral model. SQL Server
 * stores default and filter text normalised: wrapped in parentheses,
 * names in brackets, numbers in their own parentheses (`((0))`,
 * `([Status]=(1))`), which the shared expression reader takes as it comes.
 */

const NOW = new Set(['getdate', 'sysdatetime', 'sysdatetimeoffset']);
const UTC_NOW = new Set(['getutcdate', 'sysutcdatetime']);
const NEW_UUID = new Set(['newid', 'newsequentialid']);

function callName(expr: Expr, argCount: number): string | null {
  return expr.kind === 'call' && expr.name.length === 1 && expr.args.length === argCount ? expr.name[0]!.toLowerCase() : null;
}

function isNow(expr: Expr): boolean {
  return NOW.has(callName(expr, 0) ?? '') || keywordOf(expr) === 'CURRENT_TIMESTAMP';
}

/** CONVERT([type], value) without a style: the type as a lower-case word, and the value. */
function convertOf(expr: Expr): { type: string; value: Expr } | null {
  if (callName(expr, 2) !== 'convert') return null;
  const [type, value] = (expr as { args: Expr[] }).args as [Expr, Expr];
  return type.kind === 'name' ? { type: type.name.toLowerCase(), value } : null;
}

/**
 * A default constraint's definition as a neutral default; null for
 * `(NULL)`, which is the same as none. Constants are fitted to the
 * column's type (`((1))` on a bit column is true); anything computed at
 * insert time other than the current time, date or a new uuid is refused.
 */
export function mssqlDefaultOf(definition: string, type: ColumnType): Translation<ColumnDefault | null> {
  const expr = tryParseExpression(definition, 'mssql');
  if ('error' in expr) return refused(expr.error);
  if (isNow(expr)) return translated({ kind: 'now' });
  const call = callName(expr, 0);
  if (call && UTC_NOW.has(call)) return translated({ kind: 'utcNow' });
  if (call && NEW_UUID.has(call)) return translated({ kind: 'uuid' });
  const convert = convertOf(expr);
  if (convert?.type === 'date' && isNow(convert.value)) return translated({ kind: 'today' });
  // CONVERT of a constant (designer-made `(CONVERT([bit],(0)))`): the tenant casts the constant to the column type anyway.
  const constantExpr = convert && bareConstant(convert.value) ? convert.value : expr;
  if (keywordOf(constantExpr) === 'NULL') return translated(null);
  const constant = bareConstant(constantExpr);
  if (constant) {
    const literal = literalFor(constant, type);
    return literal.ok ? translated({ kind: 'literal', value: literal.value }) : literal;
  }
  if (expr.kind === 'call' && expr.name.length > 1) return refused('calls a user-defined function');
  return refused('an expression the tenant cannot be given: only constants, the current time or date and new uuids are carried');
}

/** SQL Server names are case-insensitive: the declared spelling, found either way. */
function columnOf(expr: Expr, columns: ReadonlyMap<string, ColumnType | null>): string | null {
  if (expr.kind !== 'name' || (!expr.quoted && keywordOf(expr) === 'NULL')) return null;
  if (columns.has(expr.name)) return expr.name;
  return [...columns.keys()].find((c) => c.toLowerCase() === expr.name.toLowerCase()) ?? null;
}

const OPERATORS: Record<string, IndexCondition['op']> = { '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=', '!<': '>=', '!>': '<=' };
const FLIPPED: Record<IndexCondition['op'], IndexCondition['op']> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=', isNull: 'isNull', isNotNull: 'isNotNull' };

/** A filtered index's filter_definition as conditions joined by AND. */
export function mssqlFilterOf(definition: string, columns: ReadonlyMap<string, ColumnType | null>): Translation<IndexCondition[]> {
  const expr = tryParseExpression(definition, 'mssql');
  if ('error' in expr) return refused(`filter: ${expr.error}`);
  const conditions: IndexCondition[] = [];
  for (const part of expr.kind === 'and' ? expr.args : [expr]) {
    const condition = conditionOf(part, columns);
    if (!condition.ok) return refused(`filter ${definition}: ${condition.reason}`);
    conditions.push(condition.value);
  }
  return translated(conditions);
}

function conditionOf(expr: Expr, columns: ReadonlyMap<string, ColumnType | null>): Translation<IndexCondition> {
  if (expr.kind === 'isNull') {
    const column = columnOf(expr.expr, columns);
    if (column !== null) return translated({ column, op: expr.not ? 'isNotNull' : 'isNull' });
  }
  if (expr.kind === 'binaryOp' && OPERATORS[expr.op]) {
    const left = columnOf(expr.left, columns);
    const right = columnOf(expr.right, columns);
    const column = left ?? right;
    const constant = bareConstant(left !== null ? expr.right : expr.left);
    const op = left !== null ? OPERATORS[expr.op]! : FLIPPED[OPERATORS[expr.op]!];
    const type = column !== null ? columns.get(column) : null;
    if (column !== null && constant && type) {
      const value = literalFor(constant, type);
      return value.ok ? translated({ column, op, value: value.value }) : value;
    }
  }
  return refused('only "column IS [NOT] NULL" and "column <op> constant" joined by AND are carried');
}

/** sql_variant as the driver hands it over: text from the catalog SQL's CONVERT, or a number. */
export type CatalogNumber = string | number | null;

/** A whole number from the catalog, exactly; null when absent. */
export function integerText(value: CatalogNumber): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    // A number has already lost digits past 2^53: refuse it rather than carry a wrong value.
    if (!Number.isSafeInteger(value)) throw new Error(`identity value ${value} is not a whole number the driver can carry exactly`);
    return String(value);
  }
  const text = value.trim();
  // decimal(p,0) identities print without a fraction; tolerate a zero one.
  const match = /^(-?[0-9]+)(?:\.0*)?$/.exec(text);
  if (!match) throw new Error(`identity value '${value}' is not a whole number`);
  return BigInt(match[1]!).toString();
}

/** One row of MSSQL_COLUMNS_SQL, as the mssql driver returns it (bit → boolean, sql_variant as noted). */
export interface MssqlColumnRow {
  table_name: string;
  column_name: string;
  type_name: string;
  max_length: number;
  precision: number;
  scale: number;
  is_nullable: boolean;
  default_name: string | null;
  default_definition: string | null;
  is_identity: boolean;
  identity_seed: CatalogNumber;
  identity_increment: CatalogNumber;
  identity_last: CatalogNumber;
  is_computed: boolean;
  computed_definition: string | null;
}

/**
 * SQL Server's IDENTITY always numbers its rows (inserting a value needs
 * IDENTITY_INSERT), so it is `always`. last_value is NULL until a row has
 * been numbered; the next insert gets last_value + increment.
 */
export function mssqlIdentityOf(row: MssqlColumnRow): Identity | null {
  if (!row.is_identity) return null;
  const start = integerText(row.identity_seed) ?? '1';
  const increment = integerText(row.identity_increment) ?? '1';
  const last = integerText(row.identity_last);
  return { generation: 'always', start, increment, next: last === null ? null : (BigInt(last) + BigInt(increment)).toString() };
}

export interface MssqlColumnStructure {
  default: ColumnDefault | null;
  identity: Identity | null;
  untranslated: UntranslatedStructure[];
}

/** A column's default, identity, and what of it is reported instead of carried. */
export function mssqlColumnStructureOf(row: MssqlColumnRow, type: ColumnType | null): MssqlColumnStructure {
  const result: MssqlColumnStructure = { default: null, identity: mssqlIdentityOf(row), untranslated: [] };
  if (row.is_computed) {
    const reason = 'a computed column: its values are carried as data, the tenant column is not computed';
    result.untranslated.push({ object: 'default', name: row.column_name, definition: (row.computed_definition ?? '').slice(0, 4000), reason });
  }
  if (row.default_definition !== null && type !== null) {
    const parsed = mssqlDefaultOf(row.default_definition, type);
    if (parsed.ok) result.default = parsed.value;
    else result.untranslated.push({ object: 'default', name: row.column_name, definition: row.default_definition.slice(0, 4000), reason: parsed.reason });
  }
  return result;
}

/** One row of MSSQL_INDEXES_SQL, as the mssql driver returns it. */
export interface MssqlIndexRow {
  table_name: string;
  index_name: string;
  /** sys.indexes.type: 1 clustered, 2 nonclustered, 3 XML, 4 spatial, 5/6 columnstore, 7 hash. */
  index_type: number;
  type_desc: string;
  is_unique: boolean;
  is_constraint: boolean;
  has_filter: boolean;
  filter_definition: string | null;
  column_name: string;
  key_ordinal: number;
  is_descending_key: boolean;
  is_included_column: boolean;
  index_column_id: number;
}

export interface MssqlTableStructure {
  indexes: IndexDefinition[];
  untranslated: UntranslatedStructure[];
}

/**
 * The indexes of one table from its MSSQL_INDEXES_SQL rows. Clustered or
 * not is storage, not meaning (PostgreSQL has no clustered indexes): both
 * become plain indexes. An index on a computed column is an index on that
 * column, whose values travel as data.
 */
export function mssqlIndexesOf(rows: readonly MssqlIndexRow[], columns: ReadonlyMap<string, ColumnType | null>): MssqlTableStructure {
  const result: MssqlTableStructure = { indexes: [], untranslated: [] };
  const byIndex = new Map<string, MssqlIndexRow[]>();
  for (const row of rows) byIndex.set(row.index_name, [...(byIndex.get(row.index_name) ?? []), row]);
  for (const [name, parts] of byIndex) {
    const index = mssqlIndexOf(name, parts, columns);
    if (index.ok) result.indexes.push(index.value);
    else {
      const object = parts[0]!.is_constraint ? 'constraint' : 'index';
      result.untranslated.push({ object, name, definition: describeIndex(name, parts).slice(0, 4000), reason: index.reason });
    }
  }
  return result;
}

function mssqlIndexOf(name: string, parts: readonly MssqlIndexRow[], columns: ReadonlyMap<string, ColumnType | null>): Translation<IndexDefinition> {
  const first = parts[0]!;
  if (first.index_type !== 1 && first.index_type !== 2) return refused(`${first.type_desc} index; the tenant is given b-tree indexes only`);
  const keys: IndexKey[] = parts
    .filter((p) => !p.is_included_column && p.key_ordinal > 0)
    .sort((a, b) => a.key_ordinal - b.key_ordinal)
    .map((p) => ({ column: p.column_name, descending: p.is_descending_key }));
  if (keys.length === 0) return refused('an index without key columns');
  const include = parts.filter((p) => p.is_included_column).map((p) => p.column_name);
  let filter: IndexCondition[] = [];
  if (first.has_filter && first.filter_definition !== null) {
    const parsed = mssqlFilterOf(first.filter_definition, columns);
    if (!parsed.ok) return parsed;
    filter = parsed.value;
  }
  return translated({ name, unique: first.is_unique, constraint: first.is_constraint, keys, include, filter });
}

/** SQL Server keeps no index text; this one is for people to read in the report. */
function describeIndex(name: string, parts: readonly MssqlIndexRow[]): string {
  const first = parts[0]!;
  const keys = parts.filter((p) => !p.is_included_column).map((p) => quoteMssql(p.column_name) + (p.is_descending_key ? ' DESC' : ''));
  const include = parts.filter((p) => p.is_included_column).map((p) => quoteMssql(p.column_name));
  return (
    `CREATE ${first.is_unique ? 'UNIQUE ' : ''}${first.type_desc} INDEX ${quoteMssql(name)} (${keys.join(', ')})` +
    (include.length > 0 ? ` INCLUDE (${include.join(', ')})` : '') +
    (first.has_filter && first.filter_definition ? ` WHERE ${first.filter_definition}` : '')
  );
}

/**
 * Every table from the three catalog reads, as introspect returns them
 * (pure, so it is tested on rows shaped as the driver returns them).
 */
export function mssqlTablesOf(
  columns: readonly MssqlColumnRow[],
  keys: readonly { table_name: string; column_name: string }[],
  indexes: readonly MssqlIndexRow[],
): IntrospectedTable[] {
  const tables = new Map<string, IntrospectedTable>();
  for (const row of columns) {
    let table = tables.get(row.table_name);
    if (!table) tables.set(row.table_name, (table = { name: row.table_name, columns: [], primaryKey: [], indexes: [], untranslated: [] }));
    const info = { typeName: String(row.type_name), maxLength: row.max_length, precision: row.precision, scale: row.scale };
    const type = neutralTypeFromMssql(info);
    const structure = mssqlColumnStructureOf(row, type);
    table.columns.push({ name: row.column_name, nativeType: info.typeName, nullable: row.is_nullable, type, default: structure.default, identity: structure.identity });
    table.untranslated!.push(...structure.untranslated);
  }
  for (const row of keys) tables.get(row.table_name)?.primaryKey.push(row.column_name);
  const indexRows = new Map<string, MssqlIndexRow[]>();
  for (const row of indexes) indexRows.set(row.table_name, [...(indexRows.get(row.table_name) ?? []), row]);
  for (const table of tables.values()) {
    const structure = mssqlIndexesOf(indexRows.get(table.name) ?? [], new Map(table.columns.map((c) => [c.name, c.type])));
    table.indexes!.push(...structure.indexes);
    table.untranslated!.push(...structure.untranslated);
  }
  return [...tables.values()];
}
