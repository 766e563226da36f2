import { OmtError, type TableSchema, type UntranslatedStructure } from '@omt/contracts';
import type { IntrospectedColumn, IntrospectedTable } from './source-connector';

const NUMBERED_KINDS = new Set(['int16', 'int32', 'int64']);

/**
 * SQL Server numbers decimal(p,0) and numeric(p,0) identity columns too;
 * PostgreSQL numbers only smallint, integer and bigint. The values travel
 * as data either way; the numbering of new rows is reported, not carried.
 */
function identityOnOtherType(column: IntrospectedColumn): UntranslatedStructure | null {
  if (!column.identity || !column.type || NUMBERED_KINDS.has(column.type.kind)) return null;
  return {
    object: 'default',
    name: column.name,
    definition: `IDENTITY(${column.identity.start},${column.identity.increment}) on ${column.nativeType}`,
    reason: `PostgreSQL numbers only smallint, integer and bigint columns; the values are carried, the tenant column does not number new rows`,
  };
}

/** The neutral schema of a table, or an error naming every column omt cannot carry. */
export function tableSchemaOf(table: IntrospectedTable): TableSchema {
  const unsupported = table.columns.filter((c) => c.type === null);
  if (unsupported.length > 0) {
    const list = unsupported.map((c) => `${c.name} (${c.nativeType})`).join(', ');
    throw new OmtError('VALIDATION_FAILED', `Table ${table.name} has columns of types omt cannot migrate: ${list}.`);
  }
  // Defaults and identity appear only where the source declares them, so a
  // plain column reads as it always did; `indexes` and `untranslated` are
  // always there, saying this agent looked (empty: nothing declared).
  const unnumbered = table.columns.map(identityOnOtherType).filter((u) => u !== null);
  return {
    name: table.name,
    columns: table.columns.map((c) => ({
      name: c.name,
      type: c.type!,
      nullable: c.nullable,
      ...(c.default ? { default: c.default } : {}),
      ...(c.identity && !identityOnOtherType(c) ? { identity: c.identity } : {}),
    })),
    primaryKey: table.primaryKey,
    indexes: table.indexes ?? [],
    untranslated: [...(table.untranslated ?? []), ...unnumbered],
  };
}

/** Finds a table by name, exactly first and then ignoring case (SQL Server names are case-insensitive). */
export function findTable<T extends { name: string }>(tables: readonly T[], name: string): T | undefined {
  return tables.find((t) => t.name === name) ?? tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
}
