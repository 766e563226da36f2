import { MssqlSource } from './mssql-source';
import { PostgresSource } from './postgres-source';
import type { SourceConnector } from './source-connector';
import { pgConnectionString, type SourceLocation } from './source-url';

export function openSource(location: SourceLocation): SourceConnector {
  return location.dialect === 'postgres'
    ? new PostgresSource(pgConnectionString(location), location.schema)
    : new MssqlSource(location);
}
