import type { ColumnDefault, ColumnType } from '@omt/contracts';
import { MSSQL_COLUMNS_SQL, MSSQL_INDEXES_SQL } from './mssql-sql';
import {
  integerText,
  mssqlDefaultOf,
  mssqlFilterOf,
  mssqlTablesOf,
  type MssqlColumnRow,
  type MssqlIndexRow,
} from './mssql-structure';

const int: ColumnType = { kind: 'int32' };
const text: ColumnType = { kind: 'text', maxLength: 50 };
const bit: ColumnType = { kind: 'boolean' };
const dec: ColumnType = { kind: 'decimal', precision: 10, scale: 2 };
const ts: ColumnType = { kind: 'timestamp' };
const date: ColumnType = { kind: 'date' };
const uuid: ColumnType = { kind: 'uuid' };
const bin: ColumnType = { kind: 'binary', maxLength: 16 };

describe('SQL Server default definitions', () => {
  it.each<[string, ColumnType, ColumnDefault | null]>([
    ['((0))', int, { kind: 'literal', value: '0' }],
    ['((-1))', int, { kind: 'literal', value: '-1' }],
    ['((1.5))', dec, { kind: 'literal', value: '1.5' }],
    ['((0.00))', dec, { kind: 'literal', value: '0.00' }],
    ["('')", text, { kind: 'literal', value: '' }],
    ["(N'abc')", text, { kind: 'literal', value: 'abc' }],
    ["('it''s')", text, { kind: 'literal', value: "it's" }],
    ["(N'Åsa 北京')", text, { kind: 'literal', value: 'Åsa 北京' }],
    ['((0))', text, { kind: 'literal', value: '0' }],
    ['((1))', bit, { kind: 'literal', value: 't' }],
    ['((0))', bit, { kind: 'literal', value: 'f' }],
    ["('true')", bit, { kind: 'literal', value: 't' }],
    ['(CONVERT([bit],(0)))', bit, { kind: 'literal', value: 'f' }],
    ["('1900-01-01')", ts, { kind: 'literal', value: '1900-01-01' }],
    ["('00000000-0000-0000-0000-0000000000AB')", uuid, { kind: 'literal', value: '00000000-0000-0000-0000-0000000000ab' }],
    ['(0x00FF)', bin, { kind: 'literal', value: '\\x00ff' }],
    ['(NULL)', text, null],
    ['(getdate())', ts, { kind: 'now' }],
    ['(GETDATE())', ts, { kind: 'now' }],
    ['(sysdatetime())', ts, { kind: 'now' }],
    ['(CURRENT_TIMESTAMP)', ts, { kind: 'now' }],
    ['(getutcdate())', ts, { kind: 'utcNow' }],
    ['(sysutcdatetime())', ts, { kind: 'utcNow' }],
    ['(CONVERT([date],getdate()))', date, { kind: 'today' }],
    ['(newid())', uuid, { kind: 'uuid' }],
    ['(newsequentialid())', uuid, { kind: 'uuid' }],
  ])('%s on %o is %o', (definition, type, expected) => {
    expect(mssqlDefaultOf(definition, type)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, ColumnType, RegExp]>([
    ['(user_name())', text, /expression/],
    ['(suser_sname())', text, /expression/],
    ['([dbo].[fn]())', int, /user-defined function/],
    ['(dateadd(day,(1),getdate()))', ts, /expression/],
    ['((1)+(2))', int, /expression/],
    ["('abc')", int, /does not fit a int32 column/],
    ['((1.5))', int, /does not fit/],
    ["('x')", bit, /does not fit/],
    ['(CONVERT([date],getdate(),(112)))', date, /expression/],
    ["(N'open", text, /not understood/],
  ])('refuses %s on %o', (definition, type, reason) => {
    const result = mssqlDefaultOf(definition, type);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('SQL Server index filters', () => {
  const columns = new Map<string, ColumnType | null>([
    ['Status', int],
    ['email', text],
    ['a', int],
    ['b', text],
    ['active', bit],
  ]);

  it.each([
    ['([Status]=(1))', [{ column: 'Status', op: '=', value: '1' }]],
    ['([status]<>(-1))', [{ column: 'Status', op: '<>', value: '-1' }]],
    ['([email] IS NOT NULL)', [{ column: 'email', op: 'isNotNull' }]],
    ['([a]>(0) AND [b] IS NULL)', [{ column: 'a', op: '>', value: '0' }, { column: 'b', op: 'isNull' }]],
    ["([b]=N'x y')", [{ column: 'b', op: '=', value: 'x y' }]],
    ['([active]=(1))', [{ column: 'active', op: '=', value: 't' }]],
    ['((0)<[a])', [{ column: 'a', op: '>', value: '0' }]],
  ])('%s', (definition, expected) => {
    expect(mssqlFilterOf(definition, columns)).toEqual({ ok: true, value: expected });
  });

  it.each(['([a]=(1) OR [a]=(2))', '([a]+(1)>(2))', '([nope]=(1))', '([a]=[Status])'])('refuses %s', (definition) => {
    expect(mssqlFilterOf(definition, columns).ok).toBe(false);
  });
});

describe('SQL Server identity values', () => {
  it('reads sql_variant as text or number, big values exactly', () => {
    expect(integerText('1')).toBe('1');
    expect(integerText(1)).toBe('1');
    expect(integerText(-5)).toBe('-5');
    expect(integerText('99999999999999999999999999999999999999')).toBe('99999999999999999999999999999999999999');
    expect(integerText('12.')).toBe('12');
    expect(integerText(null)).toBeNull();
    expect(() => integerText(2 ** 60)).toThrow(/exactly/);
    expect(() => integerText('1.5')).toThrow(/whole number/);
  });
});

describe('SQL Server structure from catalog rows', () => {
  // Shaped as the mssql driver returns them: bit → boolean, tinyint/smallint/int → number, nvarchar → string, NULL → null.
  const column = (name: string, type_name: string, extra: Partial<MssqlColumnRow> = {}): MssqlColumnRow => ({
    table_name: 'contact',
    column_name: name,
    type_name,
    max_length: type_name === 'nvarchar' ? 160 : type_name === 'nchar' ? 10 : 4,
    precision: type_name === 'int' ? 10 : 0,
    scale: 0,
    is_nullable: true,
    default_name: null,
    default_definition: null,
    is_identity: false,
    identity_seed: null,
    identity_increment: null,
    identity_last: null,
    is_computed: false,
    computed_definition: null,
    ...extra,
  });
  const columns: MssqlColumnRow[] = [
    column('contact_id', 'int', { is_nullable: false, is_identity: true, identity_seed: '1', identity_increment: '1', identity_last: '41' }),
    column('name', 'nvarchar', { default_name: 'DF_contact_name', default_definition: "('')" }),
    column('code', 'nchar', { default_name: 'DF_contact_code', default_definition: "(N'AB')" }),
    column('status', 'int', { default_name: 'DF_contact_status', default_definition: '((0))' }),
    column('owner', 'nvarchar', { default_name: 'DF_contact_owner', default_definition: '(user_name())' }),
    column('search', 'nvarchar', { is_computed: true, computed_definition: '(upper([name]))' }),
    column('big', 'bigint', { is_identity: false }),
  ];
  const index = (index_name: string, column_name: string, extra: Partial<MssqlIndexRow> = {}): MssqlIndexRow => ({
    table_name: 'contact',
    index_name,
    index_type: 2,
    type_desc: 'NONCLUSTERED',
    is_unique: false,
    is_constraint: false,
    has_filter: false,
    filter_definition: null,
    column_name,
    key_ordinal: 1,
    is_descending_key: false,
    is_included_column: false,
    index_column_id: 1,
    ...extra,
  });
  const indexes: MssqlIndexRow[] = [
    index('UQ_contact_code', 'code', { is_unique: true, is_constraint: true }),
    index('IX_contact_multi', 'name', { key_ordinal: 2, index_column_id: 2 }),
    index('IX_contact_multi', 'status', { key_ordinal: 1, is_descending_key: true }),
    index('IX_contact_incl', 'status', { index_type: 1, type_desc: 'CLUSTERED' }),
    index('IX_contact_incl', 'name', { key_ordinal: 0, is_included_column: true, index_column_id: 2 }),
    index('IX_contact_active', 'name', { is_unique: true, has_filter: true, filter_definition: '([status]=(1) AND [code] IS NOT NULL)' }),
    index('IX_contact_search', 'search'),
    index('XML_contact', 'name', { index_type: 3, type_desc: 'XML' }),
  ];
  const keys = [{ table_name: 'contact', column_name: 'contact_id' }];

  it('carries indexes, constraints, defaults, identity and fixed text; reports the rest', () => {
    const [table] = mssqlTablesOf(columns, keys, indexes);
    expect(table!.primaryKey).toEqual(['contact_id']);
    const byName = Object.fromEntries(table!.columns.map((c) => [c.name, c]));
    expect(byName.contact_id!.identity).toEqual({ generation: 'always', start: '1', increment: '1', next: '42' });
    expect(byName.code!.type).toEqual({ kind: 'text', maxLength: 5, fixed: true });
    expect(table!.columns.map((c) => c.default ?? null)).toEqual([
      null,
      { kind: 'literal', value: '' },
      { kind: 'literal', value: 'AB' },
      { kind: 'literal', value: '0' },
      null,
      null,
      null,
    ]);
    expect(table!.indexes).toEqual([
      { name: 'UQ_contact_code', unique: true, constraint: true, keys: [{ column: 'code', descending: false }], include: [], filter: [] },
      {
        name: 'IX_contact_multi',
        unique: false,
        constraint: false,
        keys: [
          { column: 'status', descending: true },
          { column: 'name', descending: false },
        ],
        include: [],
        filter: [],
      },
      { name: 'IX_contact_incl', unique: false, constraint: false, keys: [{ column: 'status', descending: false }], include: ['name'], filter: [] },
      {
        name: 'IX_contact_active',
        unique: true,
        constraint: false,
        keys: [{ column: 'name', descending: false }],
        include: [],
        filter: [
          { column: 'status', op: '=', value: '1' },
          { column: 'code', op: 'isNotNull' },
        ],
      },
      { name: 'IX_contact_search', unique: false, constraint: false, keys: [{ column: 'search', descending: false }], include: [], filter: [] },
    ]);
    expect(table!.untranslated).toEqual([
      { object: 'default', name: 'owner', definition: '(user_name())', reason: expect.stringMatching(/expression/) },
      { object: 'default', name: 'search', definition: '(upper([name]))', reason: expect.stringMatching(/computed column/) },
      { object: 'index', name: 'XML_contact', definition: 'CREATE XML INDEX [XML_contact] ([name])', reason: 'XML index; the tenant is given b-tree indexes only' },
    ]);
  });

  it('reads an identity whose values arrive as numbers, and one that never numbered a row', () => {
    const rows = [
      column('a', 'int', { is_identity: true, identity_seed: 1000, identity_increment: -1, identity_last: 990 }),
      column('b', 'bigint', { table_name: 'other', is_identity: true, identity_seed: '9007199254740993', identity_increment: '2', identity_last: null }),
      column('c', 'decimal', { table_name: 'third', is_identity: true, identity_seed: '1', identity_increment: '1', identity_last: '99999999999999999999999999999999999998' }),
    ];
    const identities = mssqlTablesOf(rows, [], []).map((t) => t.columns[0]!.identity);
    expect(identities).toEqual([
      { generation: 'always', start: '1000', increment: '-1', next: '989' },
      { generation: 'always', start: '9007199254740993', increment: '2', next: null },
      { generation: 'always', start: '1', increment: '1', next: '99999999999999999999999999999999999999' },
    ]);
  });

  it('keeps the schema a parameter and leaves out primary keys, heaps, hypothetical and disabled indexes', () => {
    for (const sql of [MSSQL_COLUMNS_SQL, MSSQL_INDEXES_SQL]) expect(sql).toMatch(/s\.name = @schema/);
    expect(MSSQL_INDEXES_SQL).toMatch(/i\.is_primary_key = 0 AND i\.type <> 0 AND i\.is_hypothetical = 0 AND i\.is_disabled = 0/);
    expect(MSSQL_INDEXES_SQL).toMatch(/kc\.type = 'UQ'/);
    expect(MSSQL_COLUMNS_SQL).toMatch(/sys\.default_constraints/);
    expect(MSSQL_COLUMNS_SQL).toMatch(/CONVERT\(varchar\(40\), idc\.last_value\)/);
  });
});
