import { Client, Pool, type PoolClient } from 'pg';
import { tableSchemaSchema, type TableSchema } from '@omt/contracts';
import {
  COPY_SESSION_OPTIONS,
  createTablePgSql,
  nameCollisionError,
  quotePg,
  renamedColumns,
  tenantIdentifier,
  tenantNameCollisions,
} from '@omt/copy-text';
import { PermanentImportError, toJobError } from '../queues/job-errors';
import { buildStructure, type StructureBuildResult } from './structure-build';
import { LEDGER_TABLE, OMT_SCHEMA, SOURCE_TABLES_TABLE } from './tenant-schema';

export { LEDGER_TABLE, OMT_SCHEMA, SOURCE_TABLES_TABLE } from './tenant-schema';
export type { StructureBuildResult } from './structure-build';

/**
 * Each tenant has a PostgreSQL database of its own. Inside it:
 *  - the customer's tables, in a schema named like the source schema
 *    (`crm7`), created from the neutral types without keys; keys are added
 *    after the load;
 *  - omt's own bookkeeping in the `_omt` schema: `source_tables` (each
 *    table's neutral definition under its source name, the name the tenant
 *    holds it under and its renamed columns (`tenantIdentifier`: names past
 *    PostgreSQL's 63 bytes), and how far the build of its structure after
 *    the load got: `structure_done` (the steps in), `structure_warnings`
 *    (defaults PostgreSQL refused), `structure_built_at`) and
 *    `batch_ledger` (one row per loaded batch, committed in the same
 *    transaction as the batch's COPY, so a batch is either in with its row
 *    or not at all).
 */

/** Tenant database names are chosen by omt; kept to characters that survive a URL and a dashboard unescaped. */
const DATABASE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$/;

/** Where a tenant's tables are: its pool (COPY session settings) and the schema holding the customer's tables. */
export interface TenantTarget {
  pool: Pool;
  schema: string;
}

export function assertTenantDatabaseName(name: string): void {
  if (!DATABASE_NAME.test(name)) {
    throw new Error(`Tenant database name ${JSON.stringify(name)} must be 1–63 letters, digits, '_' or '-'.`);
  }
}

/** The connection string of database `name` on the server `adminUrl` points at. */
export function tenantDatabaseUrl(adminUrl: string, name: string): string {
  assertTenantDatabaseName(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates the tenant database unless it exists; safe when two workers race. */
export async function ensureTenantDatabase(adminUrl: string, name: string): Promise<{ url: string; created: boolean }> {
  const url = tenantDatabaseUrl(adminUrl, name);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return { url, created: false };
    // template0 and UTF8: COPY text is UTF-8, whatever template1 holds.
    await client.query(`CREATE DATABASE ${quotePg(name)} ENCODING 'UTF8' TEMPLATE template0`);
    return { url, created: true };
  } catch (error) {
    if ((error as { code?: string }).code === '42P04') return { url, created: false }; // created meanwhile
    throw error;
  } finally {
    await client.end();
  }
}

/** A pool to a tenant database whose sessions print and read COPY text canonically. */
export function openTenantPool(url: string, max = 4): Pool {
  const pool = new Pool({ connectionString: url, options: COPY_SESSION_OPTIONS, max });
  // A connection lost while idle (server restart) is dropped by the pool; one
  // lost mid-query already fails that query, which the job retries. Without a
  // listener either would crash the worker.
  pool.on('error', () => undefined);
  return pool;
}

export interface CheckedOutClient {
  client: PoolClient;
  /** Back to the pool, or closed when `destroy` (a connection lost or left mid-COPY). */
  release(destroy: boolean): void;
}

/**
 * A pooled connection that cannot crash the process: pg-pool stops
 * listening for a client's errors while it is checked out, and a connection
 * lost mid-COPY emits one after the failing query has already rejected.
 */
export async function checkOut(pool: Pool): Promise<CheckedOutClient> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  return {
    client,
    release(destroy) {
      client.removeListener('error', ignore);
      client.release(destroy);
    },
  };
}

export class TenantDatabase implements TenantTarget {
  constructor(
    readonly pool: Pool,
    readonly schema: string,
  ) {
    if (schema === OMT_SCHEMA) throw new Error(`The tenant's tables cannot live in omt's own schema ${OMT_SCHEMA}.`);
  }

  /** Creates the database if needed, opens a pool and prepares the schemas and the ledger. */
  static async open(options: { adminUrl: string; database: string; schema: string; poolSize?: number }): Promise<TenantDatabase> {
    const { url } = await ensureTenantDatabase(options.adminUrl, options.database);
    const tenant = new TenantDatabase(openTenantPool(url, options.poolSize), options.schema);
    try {
      await tenant.prepare();
    } catch (error) {
      await tenant.close();
      throw error;
    }
    return tenant;
  }

  async prepare(): Promise<void> {
    await this.inDdlTransaction(async (client) => {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quotePg(this.schema)}`);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quotePg(OMT_SCHEMA)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${SOURCE_TABLES_TABLE} (
        table_name text PRIMARY KEY,
        definition jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        keys_added_at timestamptz
      )`);
      // Added after the first tenants were made; the unique index is the last guard against two sources on one table.
      await client.query(`ALTER TABLE ${SOURCE_TABLES_TABLE}
        ADD COLUMN IF NOT EXISTS tenant_name text,
        ADD COLUMN IF NOT EXISTS renamed_columns jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN IF NOT EXISTS structure_done jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN IF NOT EXISTS structure_warnings jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN IF NOT EXISTS structure_built_at timestamptz`);
      await client.query(`CREATE UNIQUE INDEX IF NOT EXISTS source_tables_tenant_name ON ${SOURCE_TABLES_TABLE} (tenant_name)`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
        table_name text NOT NULL,
        sequence integer NOT NULL,
        sha256 char(64) NOT NULL,
        rows integer NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (table_name, sequence)
      )`);
    });
  }

  /**
   * Creates a customer table (no key yet) and records its definition. Again
   * with the same definition is a no-op; with another one it is a schema
   * mismatch that retrying cannot fix.
   */
  async createTable(table: TableSchema): Promise<'created' | 'exists'> {
    const definition = JSON.stringify(tableSchemaSchema.parse(table));
    try {
      return await this.inDdlTransaction(async (client) => {
        const known = await client.query<{ same: boolean }>(
          `SELECT definition = $2::jsonb AS same FROM ${SOURCE_TABLES_TABLE} WHERE table_name = $1`,
          [table.name, definition],
        );
        if (known.rows[0]) {
          if (known.rows[0].same) return 'exists';
          throw new PermanentImportError(
            'CONFLICT',
            `Table "${table.name}" already exists in the tenant with a different definition; the source schema changed during the migration.`,
          );
        }
        await this.assertNoCollision(client, table);
        // Keys, indexes and defaults come after the load (buildStructure): a refused default is a warning there, not a failed table.
        await client.query(createTablePgSql(this.schema, table, { primaryKey: false, defaults: false }));
        await client.query(
          `INSERT INTO ${SOURCE_TABLES_TABLE} (table_name, definition, tenant_name, renamed_columns) VALUES ($1, $2::jsonb, $3, $4::jsonb)`,
          [table.name, definition, tenantIdentifier(table.name), JSON.stringify(renamedColumns(table.columns))],
        );
        return 'created';
      });
    } catch (error) {
      throw toJobError(error, `Creating table "${table.name}" in the tenant`);
    }
  }

  /**
   * The API refuses colliding names before anything is sent; this holds the
   * line when tables arrive another way (an older agent, a schema sent by
   * hand): a table whose tenant name, key name or column names clash with a
   * table already here fails permanently, naming both.
   */
  private async assertNoCollision(client: PoolClient, table: TableSchema): Promise<void> {
    // Names and whether each has a key (its index takes a name too); the columns of other tables cannot clash with these.
    const existing = await client.query<{ table_name: string; keyed: boolean }>(
      `SELECT table_name, coalesce(jsonb_array_length(definition -> 'primaryKey') > 0, false) AS keyed FROM ${SOURCE_TABLES_TABLE}`,
    );
    const tables = existing.rows
      .filter((r) => r.table_name !== table.name)
      .map((r) => ({ name: r.table_name, primaryKey: r.keyed ? ['(key)'] : [] }));
    const error = nameCollisionError(tenantNameCollisions([...tables, table]));
    if (error) throw new PermanentImportError('NAME_COLLISION', error.message);
  }

  /** The neutral definition a table was created with, or null when it was never created. */
  async tableSchema(name: string): Promise<TableSchema | null> {
    const result = await this.pool.query<{ definition: unknown }>(
      `SELECT definition FROM ${SOURCE_TABLES_TABLE} WHERE table_name = $1`,
      [name],
    );
    return result.rows[0] ? tableSchemaSchema.parse(result.rows[0].definition) : null;
  }

  async tables(): Promise<TableSchema[]> {
    const result = await this.pool.query<{ definition: unknown }>(
      `SELECT definition FROM ${SOURCE_TABLES_TABLE} ORDER BY table_name`,
    );
    return result.rows.map((r) => tableSchemaSchema.parse(r.definition));
  }

  /**
   * After the load: each table's primary key, indexes and unique
   * constraints, column defaults and identity restarts (`buildStructure`).
   * Idempotent and resumable step by step; duplicates under a key or unique
   * index fail permanently, naming the table and the index.
   */
  async buildStructure(): Promise<StructureBuildResult> {
    return buildStructure(this.pool, (work) => this.inDdlTransaction(work), this.schema);
  }

  /** The structure build, reporting only the tables whose primary key it added now. */
  async addPrimaryKeys(): Promise<string[]> {
    return (await this.buildStructure()).primaryKeys;
  }

  /** What the structure build could not apply to a table (defaults PostgreSQL refused); empty when none or never built. */
  async structureWarnings(name: string): Promise<string[]> {
    const result = await this.pool.query<{ warnings: string[] }>(
      `SELECT structure_warnings AS warnings FROM ${SOURCE_TABLES_TABLE} WHERE table_name = $1`,
      [name],
    );
    return result.rows[0]?.warnings ?? [];
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** DDL of one tenant, one at a time: concurrent CREATE … IF NOT EXISTS can still collide in the catalog. */
  private async inDdlTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const { client, release } = await checkOut(this.pool);
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('omt.tenant-ddl'))`);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      release(broken);
    }
  }
}
