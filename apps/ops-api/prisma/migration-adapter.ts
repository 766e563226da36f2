import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';

/**
 * The driver adapter the Prisma CLI migrates with (Prisma 6.19, WebAssembly
 * schema engine). It closes two gaps of @prisma/adapter-pg 6.19:
 *  - the schema engine's catalog queries return PostgreSQL's internal types
 *    `name` (oid 19) and `"char"` (oid 18), which the adapter refuses to
 *    deserialize: they are reported as `text` (oid 25);
 *  - its shadow database reuses the main connection string (the
 *    `connectionString` wins over `database`), so `migrate dev` fails with
 *    "relation already exists": here the shadow database really is a new one,
 *    dropped once its connections are closed.
 */
const TEXT_OID = 25;
const INTERNAL_TEXT_OIDS = new Set([18, 19]);

type QueryResult = { fields?: { dataTypeID: number }[] } | undefined;

function reportInternalTypesAsText<R extends QueryResult>(result: R): R {
  for (const field of result?.fields ?? []) {
    if (INTERNAL_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
  }
  return result;
}

/**
 * A pg client that reports PostgreSQL's internal catalog types as text.
 * Note: the CLI leaves two pooled connections checked out when it is done, so
 * the process lingers for about 10 s before exiting; callers that care (the
 * API's start-up, the tests) skip the CLI when nothing is pending.
 */
class CatalogFriendlyClient extends pg.Client {
  // pg's query() has many overloads (promise or callback); both paths are patched.
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (error: unknown, result: QueryResult) =>
        (last as (e: unknown, r: QueryResult) => void)(error, reportInternalTypesAsText(result));
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args);
    if (returned instanceof Promise) return returned.then(reportInternalTypesAsText) as never;
    return returned as never;
  }
}

function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

function poolFor(connectionString: string): pg.Pool {
  return new pg.Pool({
    connectionString,
    allowExitOnIdle: true,
    Client: CatalogFriendlyClient as unknown as typeof pg.Client,
  });
}

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;

export class MigrationPgAdapter extends PrismaPg {
  constructor(private readonly connectionString: string) {
    super(poolFor(connectionString), { disposeExternalPool: true });
  }

  override async connectToShadowDb(): Promise<Adapter> {
    const name = `omt_shadow_${randomUUID().replace(/-/g, '')}`;
    await this.admin(`CREATE DATABASE "${name}"`);
    const shadow = await new PrismaPg(poolFor(withDatabase(this.connectionString, name)), {
      disposeExternalPool: true,
    }).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await this.admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return shadow;
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
