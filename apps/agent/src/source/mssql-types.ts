import type { Column, ColumnType } from '@omt/contracts';
import { quoteMssql } from './sql-identifiers';

/** A column as sys.columns describes it (`max_length` in bytes, -1 for max). */
export interface MssqlColumnInfo {
  typeName: string;
  maxLength: number;
  precision: number;
  scale: number;
}

/** SQL Server type → neutral type; null when omt cannot carry it (sql_variant, geography, hierarchyid, …). */
export function neutralTypeFromMssql(info: MssqlColumnInfo): ColumnType | null {
  const chars = (bytesPerChar: number) => (info.maxLength === -1 ? null : Math.max(1, info.maxLength / bytesPerChar));
  switch (info.typeName.toLowerCase()) {
    case 'tinyint':
    case 'smallint':
      return { kind: 'int16' };
    case 'int':
      return { kind: 'int32' };
    case 'bigint':
      return { kind: 'int64' };
    case 'decimal':
    case 'numeric':
      return { kind: 'decimal', precision: info.precision, scale: info.scale };
    case 'money':
      return { kind: 'decimal', precision: 19, scale: 4 };
    case 'smallmoney':
      return { kind: 'decimal', precision: 10, scale: 4 };
    case 'real':
      return { kind: 'float32' };
    case 'float':
      // float(n) with n ≤ 24 is stored as real; sys.columns reports its precision.
      return info.precision <= 24 ? { kind: 'float32' } : { kind: 'float64' };
    case 'bit':
      return { kind: 'boolean' };
    // char(n)/nchar(n) are blank-padded: kept fixed-length on the tenant.
    case 'char':
      return { kind: 'text', maxLength: chars(1), fixed: true };
    case 'varchar':
      return { kind: 'text', maxLength: chars(1) };
    case 'nchar':
      return { kind: 'text', maxLength: chars(2), fixed: true };
    case 'nvarchar':
      return { kind: 'text', maxLength: chars(2) };
    case 'text':
    case 'ntext':
    case 'xml':
      return { kind: 'text', maxLength: null };
    case 'binary':
    case 'varbinary':
      return { kind: 'binary', maxLength: chars(1) };
    case 'image':
    case 'timestamp':
    case 'rowversion':
      return { kind: 'binary', maxLength: null };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time' };
    case 'datetime':
    case 'datetime2':
    case 'smalldatetime':
      return { kind: 'timestamp' };
    case 'datetimeoffset':
      return { kind: 'timestamptz' };
    case 'uniqueidentifier':
      return { kind: 'uuid' };
    default:
      return null;
  }
}

/**
 * The select-list expression for a column when streaming. Values the driver
 * would round (decimals, datetime2's 100 ns, offsets) are converted to text
 * in SQL Server, and the COPY encoder turns that text into PostgreSQL's form.
 */
export function mssqlSelectExpression(column: Column, nativeType?: string): string {
  const name = quoteMssql(column.name);
  const type = column.type;
  switch (type.kind) {
    case 'decimal':
      return `CONVERT(varchar(80), CAST(${name} AS decimal(${type.precision},${type.scale})))`;
    case 'date':
      return `CONVERT(char(10), ${name}, 23)`;
    case 'time':
      return `CONVERT(varchar(16), ${name})`;
    case 'timestamp':
      return `CONVERT(varchar(27), CAST(${name} AS datetime2(7)), 126)`;
    case 'timestamptz':
      return `CONVERT(varchar(34), ${name}, 126)`;
    case 'text':
      return nativeType?.toLowerCase() === 'xml' ? `CONVERT(nvarchar(max), ${name})` : name;
    default:
      return name;
  }
}

/** The T-SQL column type for a neutral type (the sample's SQL Server script). */
export function mssqlColumnType(type: ColumnType): string {
  switch (type.kind) {
    case 'int16':
      return 'smallint';
    case 'int32':
      return 'int';
    case 'int64':
      return 'bigint';
    case 'decimal':
      return `decimal(${Math.min(type.precision, 38)},${Math.min(type.scale, 38)})`;
    case 'float32':
      return 'real';
    case 'float64':
      return 'float';
    case 'boolean':
      return 'bit';
    case 'text':
      if (type.fixed && type.maxLength !== null && type.maxLength <= 4000) return `nchar(${type.maxLength})`;
      return type.maxLength !== null && type.maxLength <= 4000 ? `nvarchar(${type.maxLength})` : 'nvarchar(max)';
    case 'binary':
      return type.maxLength !== null && type.maxLength <= 8000 ? `varbinary(${type.maxLength})` : 'varbinary(max)';
    case 'date':
      return 'date';
    case 'time':
      return 'time(7)';
    case 'timestamp':
      return 'datetime2(7)';
    case 'timestamptz':
      return 'datetimeoffset(7)';
    case 'uuid':
      return 'uniqueidentifier';
  }
}
