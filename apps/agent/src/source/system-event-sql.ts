import type { SourceDialect } from './source-connector';
import { qualifiedMssql, qualifiedPg, quoteMssql, quotePg } from './sql-identifiers';

/**
 * The one write omt makes onsite: a row in `SystemEvent` (the CRM's system
 * events; a "no login" event blocks the Windows client and Service) and its
 * removal. Parameters: the event key first, then the message. Setting is
 * idempotent (one row per key); the id is the next free one, as the table
 * has no identity column.
 */
export function systemEventSql(dialect: SourceDialect, schema: string): { set: string; clear: string } {
  const q = dialect === 'postgres' ? quotePg : quoteMssql;
  const table = dialect === 'postgres' ? qualifiedPg(schema, 'SystemEvent') : qualifiedMssql(schema, 'SystemEvent');
  const [key, message] = dialect === 'postgres' ? ['$1::text', '$2::text'] : ['@key', '@message'];
  const now = dialect === 'postgres' ? 'now()' : 'SYSUTCDATETIME()';
  // SQL Server: hold the range lock until the insert, so two agents never pick one id.
  const lock = dialect === 'mssql' ? ' WITH (UPDLOCK, HOLDLOCK)' : '';
  const id = q('SystemEvent_id');
  return {
    set:
      `INSERT INTO ${table} (${id}, ${q('eventkey')}, ${q('eventmess')}, ${q('eventtime')}) ` +
      `SELECT n.next_id, ${key}, ${message}, ${now} FROM (SELECT COALESCE(MAX(${id}), 0) + 1 AS next_id FROM ${table}${lock}) n ` +
      `WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE ${q('eventkey')} = ${key})`,
    clear: `DELETE FROM ${table} WHERE ${q('eventkey')} = ${key}`,
  };
}
