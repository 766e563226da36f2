import type { TableSchema, UntranslatedStructure } from '@omt/contracts';
import { declaredAsConstraint } from './pg-index-ddl';
import { tenantIdentifier } from './tenant-names';

/**
 * How the structure of tables is counted and worded for people: one
 * wording for the worker (the ticket page) and the agent (its summary),
 * which words what it sent before the API can say anything.
 */

/** A table in a message, with the name the tenant holds it under when that differs. */
export function tableWords(name: string): string {
  const tenant = tenantIdentifier(name);
  return tenant === name ? `table "${name}"` : `table "${name}" (stored as "${tenant}")`;
}

/** A warning for something the source declares that the tenant cannot be given as it is. */
export function untranslatedWarning(table: string, item: UntranslatedStructure): string {
  const what =
    item.object === 'default'
      ? `The default of column "${item.name}"`
      : `${item.object === 'index' ? 'Index' : 'Constraint'} "${item.name}"`;
  return `${what} of ${tableWords(table)} was not carried over: ${item.reason} (at the source: ${item.definition}).`;
}

export interface StructureCounts {
  /** Indexes and unique constraints besides the primary key. */
  indexes: number;
  /** What the tenant holds as constraints: primary keys and UNIQUE constraints. */
  constraints: number;
}

export function structureCounts(tables: readonly TableSchema[]): StructureCounts {
  let indexes = 0;
  let constraints = 0;
  for (const table of tables) {
    indexes += table.indexes?.length ?? 0;
    constraints += (table.primaryKey.length > 0 ? 1 : 0) + (table.indexes ?? []).filter(declaredAsConstraint).length;
  }
  return { indexes, constraints };
}
