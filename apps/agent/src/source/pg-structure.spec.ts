import type { ColumnDefault, ColumnType } from '@omt/contracts';
import { nextSequenceValue, pgDefaultOf, pgFilterOf, pgIndexKeyOf } from './pg-structure';
import { parseExpression } from './sql-expression';

const int: ColumnType = { kind: 'int32' };
const text: ColumnType = { kind: 'text', maxLength: 20 };
const bool: ColumnType = { kind: 'boolean' };
const ts: ColumnType = { kind: 'timestamp' };

describe('PostgreSQL defaults as pg_get_expr prints them', () => {
  it.each<[string, ColumnType, ColumnDefault | null]>([
    ['0', int, { kind: 'literal', value: '0' }],
    ["'-1'::integer", int, { kind: 'literal', value: '-1' }],
    ["'9007199254740993'::bigint", { kind: 'int64' }, { kind: 'literal', value: '9007199254740993' }],
    ["'-1.5'::numeric", { kind: 'decimal', precision: 5, scale: 2 }, { kind: 'literal', value: '-1.5' }],
    ["'x''y'::character varying", text, { kind: 'literal', value: "x'y" }],
    ["''::bpchar", { kind: 'text', maxLength: 5, fixed: true }, { kind: 'literal', value: '' }],
    ["'a\\b'::text", text, { kind: 'literal', value: 'a\\b' }],
    ['true', bool, { kind: 'literal', value: 't' }],
    ["'\\x00FF'::bytea", { kind: 'binary', maxLength: null }, { kind: 'literal', value: '\\x00ff' }],
    ["'2020-01-01 10:00:00'::timestamp without time zone", ts, { kind: 'literal', value: '2020-01-01 10:00:00' }],
    ['NULL::character varying', text, null],
    ['now()', ts, { kind: 'now' }],
    ['CURRENT_TIMESTAMP', ts, { kind: 'now' }],
    ['LOCALTIMESTAMP', ts, { kind: 'now' }],
    ['CURRENT_DATE', { kind: 'date' }, { kind: 'today' }],
    ['now()::date', { kind: 'date' }, { kind: 'today' }],
    ["(now() AT TIME ZONE 'utc'::text)", ts, { kind: 'utcNow' }],
    ["timezone('UTC'::text, now())", ts, { kind: 'utcNow' }],
    ['gen_random_uuid()', { kind: 'uuid' }, { kind: 'uuid' }],
  ])('%s on %o', (expr, type, expected) => {
    expect(pgDefaultOf(expr, type)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, ColumnType]>([
    ['CURRENT_USER', text],
    ["nextval('other_seq'::regclass)", int],
    ["('now'::text)::date", { kind: 'date' }],
    ['(1 + 2)', int],
    ["E'a\\nb'", text],
    ["'abc'::text", int],
    ["(now() AT TIME ZONE 'Europe/Oslo'::text)", ts],
  ])('refuses %s', (expr, type) => {
    expect(pgDefaultOf(expr, type).ok).toBe(false);
  });
});

describe('PostgreSQL index keys and predicates', () => {
  const columns = new Map<string, ColumnType | null>([
    ['name', text],
    ['Odd "Col"', text],
    ['status', int],
    ['active', bool],
    ['since', { kind: 'date' }],
  ]);

  it('reads lower()/upper() keys and refuses other expressions', () => {
    expect(pgIndexKeyOf('lower(name::text)', false, columns)).toEqual({ ok: true, value: { column: 'name', descending: false, function: 'lower' } });
    expect(pgIndexKeyOf('upper("Odd ""Col""")', true, columns)).toEqual({ ok: true, value: { column: 'Odd "Col"', descending: true, function: 'upper' } });
    expect(pgIndexKeyOf('(status + 1)', false, columns).ok).toBe(false);
    expect(pgIndexKeyOf('lower(missing)', false, columns).ok).toBe(false);
    expect(pgIndexKeyOf('md5(name)', false, columns).ok).toBe(false);
  });

  it('reads AND-ed conditions and refuses OR and expressions', () => {
    expect(pgFilterOf("status > 0 AND name::text = 'a b'::text AND \"Odd \"\"Col\"\"\" IS NULL AND active AND since >= '2020-01-01'::date", columns)).toEqual({
      ok: true,
      value: [
        { column: 'status', op: '>', value: '0' },
        { column: 'name', op: '=', value: 'a b' },
        { column: 'Odd "Col"', op: 'isNull' },
        { column: 'active', op: '=', value: 't' },
        { column: 'since', op: '>=', value: '2020-01-01' },
      ],
    });
    expect(pgFilterOf("status = '-1'::integer OR status > 1", columns).ok).toBe(false);
    expect(pgFilterOf('status + 1 > 2', columns).ok).toBe(false);
    expect(pgFilterOf('since::text = name::text', columns).ok).toBe(false);
  });
});

describe('sequence positions', () => {
  it('gives the value nextval() would return', () => {
    expect(nextSequenceValue('1', '1', { last_value: '1', is_called: false })).toBeNull();
    expect(nextSequenceValue('1', '1', { last_value: '1', is_called: true })).toBe('2');
    expect(nextSequenceValue('100', '-10', { last_value: '70', is_called: true })).toBe('60');
    expect(nextSequenceValue('1', '1', { last_value: '500', is_called: false })).toBe('500');
    expect(nextSequenceValue('1', '1', { last_value: '9223372036854775806', is_called: true })).toBe('9223372036854775807');
  });
});

describe('expression reader', () => {
  it('keeps precedence and casts', () => {
    expect(parseExpression("a = 1 AND b IS NOT NULL OR c::text <> 'x'", 'postgres')).toEqual({
      kind: 'or',
      args: [
        {
          kind: 'and',
          args: [
            { kind: 'binaryOp', op: '=', left: { kind: 'name', name: 'a', quoted: false }, right: { kind: 'number', text: '1' } },
            { kind: 'isNull', not: true, expr: { kind: 'name', name: 'b', quoted: false } },
          ],
        },
        { kind: 'binaryOp', op: '<>', left: { kind: 'cast', type: 'text', expr: { kind: 'name', name: 'c', quoted: false } }, right: { kind: 'string', value: 'x' } },
      ],
    });
    expect(parseExpression("(N'a]b')", 'mssql')).toEqual({ kind: 'string', value: 'a]b' });
    expect(parseExpression('([a]]b]=(-1.5E3))', 'mssql')).toMatchObject({ left: { name: 'a]b', quoted: true }, right: { kind: 'number', text: '-1.5E3' } });
    expect(() => parseExpression('a = 1; DROP TABLE x', 'postgres')).toThrow();
    expect(() => parseExpression('a = 1 b', 'postgres')).toThrow(/after the expression/);
  });
});
