import { createHash } from 'node:crypto';
import type { Column, IndexDefinition, TableSchema } from '@omt/contracts';
import { quotePg } from './identifiers';
import { conditionPg, defaultPgExpression, identityExpressible } from './pg-column-structure';
import { qualifiedTenantPg, quoteTenantPg } from './pg-ddl';
import { tenantIdentifier, tenantPrimaryKeyName } from './tenant-names';

/**
 * DDL of what a table declares beyond its columns and key, built after the
 * load: one index build per index instead of row-by-row maintenance.
 */

/**
 * A UNIQUE constraint in PostgreSQL is plain ascending columns: a source
 * constraint with a descending key, a function or a filter becomes a unique
 * index, which enforces the same rule.
 */
export function declaredAsConstraint(index: IndexDefinition): boolean {
  return (
    index.unique &&
    index.constraint &&
    index.filter.length === 0 &&
    index.keys.every((k) => !k.descending && !k.function)
  );
}

/**
 * The tenant name of every index, per table then per source index name.
 * SQL Server scopes index names by table, PostgreSQL by schema (shared with
 * tables and key indexes), so two tables' `IX_name` cannot both keep it.
 * Deterministic for one set of tables: in table then index name order, an
 * index keeps its name (as `tenantIdentifier` shortens it) when it is free,
 * else takes `<table>_<index>`, else that with a hash and a counter.
 */
export function tenantIndexNames(tables: readonly TableSchema[]): Map<string, Map<string, string>> {
  const taken = new Set<string>();
  for (const table of tables) {
    taken.add(tenantIdentifier(table.name));
    if (table.primaryKey.length > 0) taken.add(tenantPrimaryKeyName(table.name));
  }
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const names = new Map<string, Map<string, string>>();
  for (const table of [...tables].sort(byName)) {
    const own = new Map<string, string>();
    for (const index of [...(table.indexes ?? [])].sort(byName)) {
      const candidates = [
        tenantIdentifier(index.name),
        tenantIdentifier(`${tenantIdentifier(table.name)}_${index.name}`),
      ];
      let name = candidates.find((c) => !taken.has(c));
      for (let n = 0; !name; n++) {
        const hash = createHash('sha256')
          .update(`${table.name}\u0000${index.name}\u0000${n}`)
          .digest('hex')
          .slice(0, 8);
        const candidate = tenantIdentifier(`${tenantIdentifier(table.name).slice(0, 40)}_${hash}`);
        if (!taken.has(candidate)) name = candidate;
      }
      taken.add(name);
      own.set(index.name, name);
    }
    names.set(table.name, own);
  }
  return names;
}

function columnOf(table: TableSchema, name: string): Column {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new Error(`Index of table "${table.name}" names column "${name}", which the table does not have.`);
  return column;
}

/** `CREATE [UNIQUE] INDEX` or `ALTER TABLE … ADD CONSTRAINT … UNIQUE` for one index, under its tenant name. */
export function createIndexPgSql(
  schema: string,
  table: TableSchema,
  index: IndexDefinition,
  tenantName: string,
): string {
  const target = qualifiedTenantPg(schema, table.name);
  const include =
    index.include.length > 0
      ? ` INCLUDE (${index.include.map((c) => quoteTenantPg(columnOf(table, c).name)).join(', ')})`
      : '';
  if (declaredAsConstraint(index)) {
    const columns = index.keys.map((k) => quoteTenantPg(columnOf(table, k.column).name)).join(', ');
    return `ALTER TABLE ${target} ADD CONSTRAINT ${quotePg(tenantName)} UNIQUE (${columns})${include}`;
  }
  const keys = index.keys.map((k) => {
    const column = quoteTenantPg(columnOf(table, k.column).name);
    return `${k.function ? `${k.function}(${column})` : column}${k.descending ? ' DESC' : ''}`;
  });
  const where =
    index.filter.length > 0
      ? ` WHERE ${index.filter
          .map((c) => conditionPg(quoteTenantPg(c.column), c, columnOf(table, c.column).type))
          .join(' AND ')}`
      : '';
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quotePg(tenantName)} ON ${target} (${keys.join(', ')})${include}${where}`;
}

/** `ALTER TABLE … ALTER COLUMN … SET DEFAULT …`, or null for a column without a default. */
export function setDefaultPgSql(schema: string, table: TableSchema, column: Column): string | null {
  const expression = defaultPgExpression(column);
  if (!expression) return null;
  return `ALTER TABLE ${qualifiedTenantPg(schema, table.name)} ALTER COLUMN ${quoteTenantPg(column.name)} SET DEFAULT ${expression}`;
}

/** Sets an identity column's sequence to the source's next value (the load wrote explicit values and did not advance it), or null. */
export function restartIdentityPgSql(schema: string, table: TableSchema, column: Column): string | null {
  if (!identityExpressible(column) || column.identity!.next === null) return null;
  return `ALTER TABLE ${qualifiedTenantPg(schema, table.name)} ALTER COLUMN ${quoteTenantPg(column.name)} RESTART WITH ${column.identity!.next}`;
}

/**
 * What in a table's declared structure does not hold together (an index on
 * a column the table lacks, a filter without its constant, an identity on
 * a type that cannot have one): one sentence each, empty when sound. The
 * API refuses such a schema before anything is created.
 */
export function structureProblems(table: TableSchema): string[] {
  const columns = new Set(table.columns.map((c) => c.name));
  const problems: string[] = [];
  for (const index of table.indexes ?? []) {
    const used = [...index.keys.map((k) => k.column), ...index.include, ...index.filter.map((c) => c.column)];
    for (const name of new Set(used)) {
      if (!columns.has(name))
        problems.push(`index "${index.name}" names column "${name}", which the table does not have`);
    }
    for (const key of index.keys) {
      const type = table.columns.find((c) => c.name === key.column)?.type.kind;
      if (key.function && type && type !== 'text') {
        problems.push(`index "${index.name}" applies ${key.function}() to "${key.column}", a ${type} column; only text has case`);
      }
    }
    for (const condition of index.filter) {
      const needsValue = condition.op !== 'isNull' && condition.op !== 'isNotNull';
      if (needsValue !== (condition.value !== undefined)) {
        problems.push(
          `index "${index.name}" has a filter on "${condition.column}" ${needsValue ? 'without' : 'with'} a value`,
        );
      }
    }
  }
  const indexNames = (table.indexes ?? []).map((i) => i.name);
  for (const name of new Set(indexNames.filter((n, i) => indexNames.indexOf(n) !== i))) {
    problems.push(`index name "${name}" is declared more than once`);
  }
  for (const column of table.columns) {
    if (column.identity && !identityExpressible(column)) {
      problems.push(
        `column "${column.name}" is an identity column of type ${column.type.kind}; PostgreSQL numbers only smallint, integer and bigint`,
      );
    }
  }
  return problems;
}
