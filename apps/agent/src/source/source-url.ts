import { OmtError } from '@omt/contracts';
import type { SourceDialect } from './source-connector';

export const DEFAULT_TABLE_PREFIX = 'crm7';

export interface SourceLocation {
  dialect: SourceDialect;
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** The table prefix schema (`?schema=`), `crm7` unless given. */
  schema: string;
  /** Remaining query parameters, passed on to the driver (e.g. `encrypt=false`). */
  params: Record<string, string>;
}

const DEFAULT_PORTS: Record<SourceDialect, number> = { postgres: 5432, mssql: 1433 };

/**
 * Parses `mssql://user:pass@host:1433/db?schema=crm7` or
 * `postgres://user@host/db?schema=crm7`.
 */
export function parseSourceUrl(text: string): SourceLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OmtError('CONFIG_INVALID', 'The source is not a URL; expected e.g. mssql://user:pass@host:1433/db?schema=crm7.');
  }
  const protocol = url.protocol.replace(/:$/, '');
  const dialect: SourceDialect | undefined =
    protocol === 'mssql' || protocol === 'sqlserver'
      ? 'mssql'
      : protocol === 'postgres' || protocol === 'postgresql'
        ? 'postgres'
        : undefined;
  if (!dialect) throw new OmtError('CONFIG_INVALID', `Unsupported source protocol "${protocol}:"; use mssql:// or postgres://.`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new OmtError('CONFIG_INVALID', 'The source URL names no database (…/<database>).');
  const params = Object.fromEntries(url.searchParams.entries());
  const schema = params.schema || DEFAULT_TABLE_PREFIX;
  delete params.schema;
  return {
    dialect,
    host: url.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: url.port ? Number(url.port) : DEFAULT_PORTS[dialect],
    database,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    schema,
    params,
  };
}

/** The libpq-style connection string for a postgres location (without omt's own `schema` parameter). */
export function pgConnectionString(location: SourceLocation): string {
  const url = new URL('postgres://localhost');
  url.hostname = location.host.includes(':') ? `[${location.host}]` : location.host;
  url.port = String(location.port);
  url.pathname = `/${encodeURIComponent(location.database)}`;
  url.username = encodeURIComponent(location.user);
  url.password = encodeURIComponent(location.password);
  for (const [k, v] of Object.entries(location.params)) url.searchParams.set(k, v);
  return url.toString();
}

/** The location as a URL without its password, safe for logs and reports. */
export function describeSource(location: SourceLocation): string {
  const user = location.user ? `${location.user}@` : '';
  return `${location.dialect}://${user}${location.host}:${location.port}/${location.database}?schema=${location.schema}`;
}
