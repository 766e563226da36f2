import type { Column, TableSchema } from '@omt/contracts';
import { qualifiedTenantPg, quoteTenantPg } from '@omt/copy-text';
import { PermanentImportError } from '../queues/job-errors';

/**
 * The CRM tables and columns the configuration step writes, named once (as
 * SuperOffice names them; domain.md). The tenant's tables carry the source's
 * own spelling, which may differ in case (SQL Server does not care), so each
 * name is looked up ignoring case in the definitions the tenant recorded.
 */
export const CRM_TABLES = {
  associate: { name: 'associate', columns: { id: 'associate_id', personId: 'person_id', userName: 'userName' } },
  email: { name: 'Email', columns: { id: 'email_id', personId: 'person_id', address: 'email_address' } },
  moduleLicense: {
    name: 'ModuleLicense',
    columns: { id: 'ModuleLicense_id', moduleName: 'moduleName', extraFlags: 'extraFlags' },
  },
  licenseAssocLink: {
    name: 'LicenseAssocLink',
    columns: { id: 'LicenseAssocLink_id', licenseId: 'moduleLicenseId', associateId: 'assocId' },
  },
} as const;

/** `document`: its `name` is where SO_ARC finds the file below `<owner login>/<period>/`; optional like `sequence`. */
export const CRM_DOCUMENT_TABLE = { name: 'document', columns: { id: 'document_id', name: 'name' } } as const;

/** `sequence` hands out SuperOffice's ids (`TableName`, `next_id`); optional: older sources may lack it. */
export const CRM_SEQUENCE_TABLE = { name: 'sequence', columns: { tableName: 'TableName', nextId: 'next_id' } } as const;

/** `ModuleLicense.extraFlags` of a row that is a user plan. */
export const USER_PLAN_FLAG = 1;

type TableSpec = { name: string; columns: Record<string, string> };

/** A CRM table as it is in the tenant: SQL-ready (quoted, tenant-named) names of the table and of each column asked for. */
export interface ResolvedTable<C extends string> {
  sql: string;
  name: string;
  schema: TableSchema;
  col: Record<C, string>;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Finds a spec'd table and its columns among the tenant's tables; null when the table or a column is missing. */
export function resolveCrmTable<S extends TableSpec>(
  tenantSchema: string,
  tables: readonly TableSchema[],
  spec: S,
): { table: ResolvedTable<keyof S['columns'] & string> | null; missing: string[] } {
  const schema = tables.find((t) => same(t.name, spec.name));
  if (!schema) return { table: null, missing: [`table "${spec.name}"`] };
  const col: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, wanted] of Object.entries(spec.columns)) {
    const column = schema.columns.find((c) => same(c.name, wanted));
    if (column) col[key] = quoteTenantPg(column.name);
    else missing.push(`column "${spec.name}"."${wanted}"`);
  }
  if (missing.length > 0) return { table: null, missing };
  return {
    table: {
      sql: qualifiedTenantPg(tenantSchema, schema.name),
      name: schema.name,
      schema,
      col: col as Record<keyof S['columns'] & string, string>,
    },
    missing,
  };
}

export type CrmTables = {
  [K in keyof typeof CRM_TABLES]: ResolvedTable<keyof (typeof CRM_TABLES)[K]['columns'] & string>;
};

/** Every table the plan needs, or a permanent failure naming what the tenant lacks. */
export function resolveCrmTables(tenantSchema: string, tables: readonly TableSchema[]): CrmTables {
  const resolved: Partial<Record<keyof typeof CRM_TABLES, unknown>> = {};
  const missing: string[] = [];
  for (const [key, spec] of Object.entries(CRM_TABLES) as [keyof typeof CRM_TABLES, TableSpec][]) {
    const found = resolveCrmTable(tenantSchema, tables, spec);
    missing.push(...found.missing);
    resolved[key] = found.table;
  }
  if (missing.length > 0) {
    throw new PermanentImportError(
      'VALIDATION_FAILED',
      `The migration plan cannot be applied: the tenant has no ${missing.join(', ')} (names compared ignoring case). The source is not a SuperOffice CRM database this version of omt knows.`,
    );
  }
  return resolved as CrmTables;
}

/**
 * A value for a NOT NULL column the configuration step does not set itself
 * (SuperOffice's bookkeeping: `registered`, `registered_associate_id`,
 * `updatedCount`, ...): now for times, 0 (the system) for numbers, empty for
 * text. Only for rows omt inserts.
 */
export function neutralValueSql(column: Column): string {
  switch (column.type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'decimal':
    case 'float32':
    case 'float64':
      return '0';
    case 'boolean':
      return 'false';
    case 'text':
      return "''";
    case 'binary':
      return "''::bytea";
    case 'date':
      return 'current_date';
    case 'time':
      return 'localtime';
    case 'timestamp':
      return 'localtimestamp';
    case 'timestamptz':
      return 'now()';
    case 'uuid':
      return 'gen_random_uuid()';
  }
}
