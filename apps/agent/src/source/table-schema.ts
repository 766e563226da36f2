import { OmtError, type TableSchema } from '@omt/contracts';
import type { IntrospectedTable } from './source-connector';

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
  return {
    name: table.name,
    columns: table.columns.map((c) => ({
      name: c.name,
      type: c.type!,
      nullable: c.nullable,
      ...(c.default ? { default: c.default } : {}),
      ...(c.identity ? { identity: c.identity } : {}),
    })),
    primaryKey: table.primaryKey,
    indexes: table.indexes ?? [],
    untranslated: table.untranslated ?? [],
  };
}

/** Finds a table by name, exactly first and then ignoring case (SQL Server names are case-insensitive). */
export function findTable<T extends { name: string }>(tables: readonly T[], name: string): T | undefined {
  return tables.find((t) => t.name === name) ?? tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
}
