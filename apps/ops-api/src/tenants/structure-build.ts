import type { Pool, PoolClient } from 'pg';
import { tableSchemaSchema, type Column, type TableSchema } from '@omt/contracts';
import {
  addPrimaryKeyPgSql,
  createIndexPgSql,
  restartIdentityPgSql,
  setDefaultPgSql,
  tableWords,
  tenantIndexNames,
} from '@omt/copy-text';
import { PermanentImportError, connectionSurvives, sqlStateOf, toJobError } from '../queues/job-errors';
import { SOURCE_TABLES_TABLE } from './tenant-schema';

/**
 * What a table declares beyond its columns, built after the load: one index
 * build per index instead of row-by-row maintenance during COPY.
 *
 * Resumable object by object: each step (the key, one index, the defaults,
 * the identity restarts) runs in its own transaction that also appends the
 * step's id to `_omt.source_tables.structure_done`, so a worker killed half
 * way leaves each step either in with its mark or not at all, and the retry
 * does only what is left (no "already exists").
 */

/** Runs DDL in a transaction holding the tenant's DDL lock (TenantDatabase). */
export type DdlTransaction = <T>(work: (client: PoolClient) => Promise<T>) => Promise<T>;

export interface StructureBuildResult {
  /** Tables whose primary key was added by this call. */
  primaryKeys: string[];
  /** Steps done by this call, as `<table>: <step>`. */
  steps: string[];
}

/** One step of a table's structure, in build order. */
interface StructureStep {
  id: string;
  /** For a failure's message: what was being built. */
  what: string;
  run(client: PoolClient): Promise<string[]>;
}

const PRIMARY_KEY_STEP = 'primaryKey';
const DEFAULTS_STEP = 'defaults';
const IDENTITY_STEP = 'identity';

function stepsOf(schema: string, table: TableSchema, indexNames: ReadonlyMap<string, string>): StructureStep[] {
  const steps: StructureStep[] = [];
  const key = addPrimaryKeyPgSql(schema, table);
  if (key) {
    steps.push({
      id: PRIMARY_KEY_STEP,
      what: `Adding the primary key of ${tableWords(table.name)}`,
      run: async (client) => {
        await client.query(key);
        return [];
      },
    });
  }
  for (const index of table.indexes ?? []) {
    const tenantName = indexNames.get(index.name)!;
    const kind = index.unique ? 'unique index' : 'index';
    const stored = tenantName === index.name ? '' : ` (stored as "${tenantName}")`;
    steps.push({
      id: `index:${index.name}`,
      what: `Building ${kind} "${index.name}"${stored} of ${tableWords(table.name)}`,
      run: async (client) => {
        await client.query(createIndexPgSql(schema, table, index, tenantName));
        return [];
      },
    });
  }
  if (table.columns.some((c) => c.default)) {
    steps.push({
      id: DEFAULTS_STEP,
      what: `Setting the column defaults of ${tableWords(table.name)}`,
      run: (client) => setDefaults(client, schema, table),
    });
  }
  const restarts = table.columns.map((c) => restartIdentityPgSql(schema, table, c)).filter((s): s is string => !!s);
  if (restarts.length > 0) {
    steps.push({
      id: IDENTITY_STEP,
      what: `Setting the next identity value of ${tableWords(table.name)}`,
      run: async (client) => {
        for (const sql of restarts) await client.query(sql);
        return [];
      },
    });
  }
  return steps;
}

/** How a default reads in a warning. */
export function describeDefault(column: Column): string {
  const fallback = column.default;
  if (!fallback) return 'none';
  return fallback.kind === 'literal' ? `'${fallback.value}'` : fallback.kind;
}

/**
 * Each default in a savepoint of its own: a source default PostgreSQL
 * refuses (a constant its type cannot read) becomes a warning naming the
 * table, the column and PostgreSQL's words, and the column is left without
 * one; the ticket goes on. A lost connection is no such refusal: rethrown.
 */
async function setDefaults(client: PoolClient, schema: string, table: TableSchema): Promise<string[]> {
  const warnings: string[] = [];
  for (const column of table.columns) {
    const sql = setDefaultPgSql(schema, table, column);
    if (!sql) continue;
    await client.query('SAVEPOINT omt_default');
    try {
      await client.query(sql);
      await client.query('RELEASE SAVEPOINT omt_default');
    } catch (error) {
      if (!sqlStateOf(error) || !connectionSurvives(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT omt_default');
      warnings.push(
        `The default ${describeDefault(column)} of column "${column.name}" of ${tableWords(table.name)} was not applied: PostgreSQL refused it (${(error as Error).message}).`,
      );
    }
  }
  return warnings;
}

/** A duplicate under a unique index or key: the data contradicts the declared structure, which no retry changes. */
function buildError(error: unknown, what: string): Error {
  if (sqlStateOf(error) === '23505') {
    const pg = error as { message: string; detail?: string };
    return new PermanentImportError(
      'VALIDATION_FAILED',
      `${what}: ${pg.message}.${pg.detail ? ` ${pg.detail}` : ''} The source holds values its own structure declares unique; fix them at the source and reset the ticket.`,
    );
  }
  return toJobError(error, what);
}

/**
 * Builds every table's structure that is not built yet, in table order, one
 * step per transaction. Index names come from every table of the tenant
 * (`tenantIndexNames`), so a retry names each index as the first try did.
 */
export async function buildStructure(pool: Pool, inDdlTransaction: DdlTransaction, schema: string): Promise<StructureBuildResult> {
  const rows = await pool.query<{ definition: unknown }>(
    `SELECT definition FROM ${SOURCE_TABLES_TABLE} WHERE structure_built_at IS NULL OR keys_added_at IS NULL ORDER BY table_name COLLATE "C"`,
  );
  const all = await pool.query<{ definition: unknown }>(`SELECT definition FROM ${SOURCE_TABLES_TABLE}`);
  const names = tenantIndexNames(all.rows.map((r) => tableSchemaSchema.parse(r.definition)));
  const result: StructureBuildResult = { primaryKeys: [], steps: [] };
  for (const row of rows.rows) {
    const table = tableSchemaSchema.parse(row.definition);
    for (const step of stepsOf(schema, table, names.get(table.name) ?? new Map())) {
      try {
        const ran = await inDdlTransaction(async (client) => {
          const done = await client.query<{ done: boolean }>(
            `SELECT structure_done ? $2 OR ($2 = $3 AND keys_added_at IS NOT NULL) AS done
             FROM ${SOURCE_TABLES_TABLE} WHERE table_name = $1 FOR UPDATE`,
            [table.name, step.id, PRIMARY_KEY_STEP],
          );
          if (!done.rows[0] || done.rows[0].done) return false;
          const warnings = await step.run(client);
          await client.query(
            `UPDATE ${SOURCE_TABLES_TABLE}
             SET structure_done = structure_done || to_jsonb($2::text),
                 structure_warnings = structure_warnings || $3::jsonb,
                 keys_added_at = CASE WHEN $2 = $4 THEN now() ELSE keys_added_at END
             WHERE table_name = $1`,
            [table.name, step.id, JSON.stringify(warnings), PRIMARY_KEY_STEP],
          );
          return true;
        });
        if (ran) {
          result.steps.push(`${table.name}: ${step.id}`);
          if (step.id === PRIMARY_KEY_STEP) result.primaryKeys.push(table.name);
        }
      } catch (error) {
        throw buildError(error, step.what);
      }
    }
    await inDdlTransaction(async (client) => {
      await client.query(
        `UPDATE ${SOURCE_TABLES_TABLE} SET structure_built_at = now(), keys_added_at = coalesce(keys_added_at, now())
         WHERE table_name = $1 AND structure_built_at IS NULL`,
        [table.name],
      );
    });
  }
  return result;
}
