import type { TableSchema } from '@omt/contracts';
import { EventEmitter } from 'node:events';
import { mssqlColumnType, mssqlSelectExpression, neutralTypeFromMssql } from './mssql-types';
import { MSSQL_COLUMNS_SQL, mssqlCountSql, mssqlSelectRowsSql, mssqlStreamSql } from './mssql-sql';
import { mssqlConfig } from './mssql-source';
import { batchEncodedRows, rowsFromEmitter } from './row-batcher';
import { parseSourceUrl } from './source-url';
import { batchText, heldBatches } from './source-connector';

const info = (typeName: string, maxLength = 0, precision = 0, scale = 0) => ({ typeName, maxLength, precision, scale });

describe('SQL Server type mapping', () => {
  it.each([
    [info('tinyint'), { kind: 'int16' }],
    [info('smallint'), { kind: 'int16' }],
    [info('int'), { kind: 'int32' }],
    [info('bigint'), { kind: 'int64' }],
    [info('decimal', 17, 38, 10), { kind: 'decimal', precision: 38, scale: 10 }],
    [info('numeric', 9, 18, 2), { kind: 'decimal', precision: 18, scale: 2 }],
    [info('money'), { kind: 'decimal', precision: 19, scale: 4 }],
    [info('smallmoney'), { kind: 'decimal', precision: 10, scale: 4 }],
    [info('real', 4, 24), { kind: 'float32' }],
    [info('float', 8, 53), { kind: 'float64' }],
    [info('float', 4, 24), { kind: 'float32' }],
    [info('bit'), { kind: 'boolean' }],
    [info('varchar', 40), { kind: 'text', maxLength: 40 }],
    [info('nvarchar', 508), { kind: 'text', maxLength: 254 }],
    [info('nvarchar', -1), { kind: 'text', maxLength: null }],
    [info('nchar', 2), { kind: 'text', maxLength: 1, fixed: true }],
    [info('char', 10), { kind: 'text', maxLength: 10, fixed: true }],
    [info('ntext', 16), { kind: 'text', maxLength: null }],
    [info('xml', -1), { kind: 'text', maxLength: null }],
    [info('varbinary', -1), { kind: 'binary', maxLength: null }],
    [info('binary', 16), { kind: 'binary', maxLength: 16 }],
    [info('image', 16), { kind: 'binary', maxLength: null }],
    [info('date'), { kind: 'date' }],
    [info('time'), { kind: 'time' }],
    [info('datetime'), { kind: 'timestamp' }],
    [info('datetime2'), { kind: 'timestamp' }],
    [info('smalldatetime'), { kind: 'timestamp' }],
    [info('datetimeoffset'), { kind: 'timestamptz' }],
    [info('uniqueidentifier'), { kind: 'uuid' }],
  ])('%o maps to %o', (column, expected) => {
    expect(neutralTypeFromMssql(column)).toEqual(expected);
  });

  it('refuses types it cannot carry', () => {
    for (const name of ['sql_variant', 'geography', 'hierarchyid', 'geometry']) expect(neutralTypeFromMssql(info(name))).toBeNull();
  });

  it('maps neutral types back to T-SQL column types', () => {
    expect(mssqlColumnType({ kind: 'text', maxLength: 511 })).toBe('nvarchar(511)');
    expect(mssqlColumnType({ kind: 'text', maxLength: 5000 })).toBe('nvarchar(max)');
    expect(mssqlColumnType({ kind: 'timestamptz' })).toBe('datetimeoffset(7)');
    expect(mssqlColumnType({ kind: 'decimal', precision: 1000, scale: 10 })).toBe('decimal(38,10)');
  });
});

describe('SQL Server statements', () => {
  const table: TableSchema = {
    name: 'Odd ]name',
    primaryKey: ['b]', 'a'],
    columns: [
      { name: 'a', type: { kind: 'int32' }, nullable: false },
      { name: 'b]', type: { kind: 'text', maxLength: 10 }, nullable: false },
      { name: 'amount', type: { kind: 'decimal', precision: 19, scale: 4 }, nullable: true },
      { name: 'when', type: { kind: 'timestamp' }, nullable: true },
      { name: 'zoned', type: { kind: 'timestamptz' }, nullable: true },
      { name: 'day', type: { kind: 'date' }, nullable: true },
      { name: 'at', type: { kind: 'time' }, nullable: true },
      { name: 'doc', type: { kind: 'text', maxLength: null }, nullable: true },
    ],
  };

  it('selects in key order with exact text conversions and quoted names', () => {
    expect(mssqlStreamSql('crm7', table, { doc: 'xml' })).toBe(
      'SELECT [a], [b]]], CONVERT(varchar(80), CAST([amount] AS decimal(19,4))), ' +
        'CONVERT(varchar(27), CAST([when] AS datetime2(7)), 126), CONVERT(varchar(34), [zoned], 126), ' +
        'CONVERT(char(10), [day], 23), CONVERT(varchar(16), [at]), CONVERT(nvarchar(max), [doc]) ' +
        'FROM [crm7].[Odd ]]name] ORDER BY [b]]], [a]',
    );
    expect(mssqlStreamSql('crm7', { ...table, primaryKey: [] })).not.toMatch(/ORDER BY/);
    expect(mssqlSelectExpression({ name: 'x', type: { kind: 'uuid' }, nullable: true })).toBe('[x]');
  });

  it('keeps the schema and filter values in parameters', () => {
    expect(MSSQL_COLUMNS_SQL).toMatch(/s\.name = @schema/);
    expect(mssqlCountSql('crm7', 'Email')).toBe('SELECT COUNT_BIG(*) AS n FROM [crm7].[Email]');
    expect(mssqlSelectRowsSql('crm7', { table: 'UserPreference', columns: ['prefkey'], where: { column: 'prefsection', op: '=', value: "x' OR 1=1" } })).toBe(
      'SELECT [prefkey] FROM [crm7].[UserPreference] WHERE [prefsection] = @value',
    );
  });

  it('builds the driver configuration from the source URL', () => {
    const config = mssqlConfig(parseSourceUrl('mssql://sa:p%40ss@db.local:14330/SuperOffice?schema=crm7&encrypt=false'));
    expect(config).toMatchObject({ server: 'db.local', port: 14330, database: 'SuperOffice', user: 'sa', password: 'p@ss' });
    expect(config.options).toMatchObject({ encrypt: false, trustServerCertificate: true, useUTC: true });
  });
});

describe('row streaming for drivers that emit rows', () => {
  it('encodes rows as COPY text in bounded batches and pauses the request while they wait', async () => {
    const emitter = Object.assign(new EventEmitter(), { paused: 0, resumed: 0, pause() { this.paused++; }, resume() { this.resumed++; } });
    const rows = rowsFromEmitter(emitter, 10);
    for (let i = 0; i < 25; i++) emitter.emit('row', [i, `row\t${i}`, i % 2 === 0 ? null : '2024-01-01T00:00:00.1234567']);
    setImmediate(() => emitter.emit('done'));
    const types = [{ kind: 'int64' }, { kind: 'text', maxLength: null }, { kind: 'timestamp' }] as const;
    const batches = [];
    for await (const b of heldBatches(batchEncodedRows('t', types, rows, { maxRows: 10, maxBytes: 1 << 20 }))) batches.push(b);
    expect(batches.map((b) => b.rows)).toEqual([10, 10, 5]);
    expect(batches.map((b) => b.sequence)).toEqual([0, 1, 2]);
    expect(batchText(batches[0]!).toString().split('\n').slice(0, 2)).toEqual(['0\trow\\t0\t\\N', '1\trow\\t1\t2024-01-01 00:00:00.123457']);
    expect(emitter.paused).toBeGreaterThan(0);
    expect(emitter.resumed).toBeGreaterThan(0);
  });

  it('cuts batches by UTF-8 bytes and hands them over in a few large pieces, not a piece per row', async () => {
    async function* rows() {
      for (let i = 0; i < 3000; i++) yield [i, `Åsa 北京 ${'x'.repeat(40)}`];
    }
    const types = [{ kind: 'int64' }, { kind: 'text', maxLength: null }] as const;
    const batches = [];
    for await (const b of heldBatches(batchEncodedRows('t', types, rows(), { maxRows: 100_000, maxBytes: 100_000 }))) batches.push(b);
    const text = Buffer.concat(batches.map(batchText));
    expect(text.toString('utf8').split('\n')).toHaveLength(3001);
    for (const batch of batches) {
      expect(batch.bytes).toBe(batchText(batch).length);
      expect(batch.bytes).toBeLessThan(100_000 + 100);
      expect(batchText(batch).toString('utf8').split('\n')).toHaveLength(batch.rows + 1);
      expect(batch.chunks.length).toBeLessThanOrEqual(3);
    }
    expect(batches.reduce((n, b) => n + b.rows, 0)).toBe(3000);
  });

  it('rethrows a driver error to the consumer', async () => {
    const emitter = Object.assign(new EventEmitter(), { pause() {}, resume() {} });
    const rows = rowsFromEmitter(emitter);
    setImmediate(() => emitter.emit('error', new Error('connection lost')));
    await expect(async () => {
      for await (const _ of rows) void _;
    }).rejects.toThrow('connection lost');
  });
});
