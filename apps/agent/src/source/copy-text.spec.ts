import type { ColumnType } from '@omt/contracts';
import { encodeCopyLine, encodeCopyValue, encodeDecimal, encodeFloat, escapeCopyText } from './copy-text';

const t = (kind: ColumnType['kind']): ColumnType => ({ kind }) as ColumnType;
const dec = (precision: number, scale: number): ColumnType => ({ kind: 'decimal', precision, scale });

describe('encodeCopyValue', () => {
  it('writes null as \\N for every kind', () => {
    for (const kind of ['int32', 'text', 'binary', 'timestamp', 'uuid'] as const) {
      expect(encodeCopyValue(t(kind), null)).toBe('\\N');
      expect(encodeCopyValue(t(kind), undefined)).toBe('\\N');
    }
  });

  it('writes integers from numbers, bigints and digit strings', () => {
    expect(encodeCopyValue(t('int16'), -32768)).toBe('-32768');
    expect(encodeCopyValue(t('int64'), '-9223372036854775808')).toBe('-9223372036854775808');
    expect(encodeCopyValue(t('int64'), 9223372036854775807n)).toBe('9223372036854775807');
    expect(encodeCopyValue(t('int32'), '007')).toBe('7');
    expect(() => encodeCopyValue(t('int32'), 1.5)).toThrow(/integer/);
    expect(() => encodeCopyValue(t('int32'), '12a')).toThrow(/integer/);
  });

  it('writes decimals with exactly the scale, rounding half away from zero', () => {
    expect(encodeDecimal('5', 2)).toBe('5.00');
    expect(encodeDecimal('.5', 2)).toBe('0.50');
    expect(encodeDecimal('-0.00', 2)).toBe('0.00');
    expect(encodeDecimal('1.005', 2)).toBe('1.01');
    expect(encodeDecimal('-1.005', 2)).toBe('-1.01');
    expect(encodeDecimal('9.995', 2)).toBe('10.00');
    expect(encodeDecimal('99.5', 0)).toBe('100');
    expect(encodeDecimal('000123.4500', 4)).toBe('123.4500');
    expect(encodeDecimal('9999999999999999999999999999.9999999999', 10)).toBe('9999999999999999999999999999.9999999999');
    expect(encodeDecimal('NaN', 3)).toBe('NaN');
    expect(encodeDecimal(12.25, 1)).toBe('12.3');
    expect(encodeDecimal(1e-7, 8)).toBe('0.00000010');
    expect(encodeCopyValue(dec(10, 2), '3.1')).toBe('3.10');
    expect(() => encodeDecimal('1e5', 0)).toThrow(/decimal/);
    expect(() => encodeDecimal('.', 0)).toThrow(/decimal/);
  });

  it('writes floats as PostgreSQL prints them with extra_float_digits = 3', () => {
    const cases64: Array<[number, string]> = [
      [0, '0'],
      [-0, '-0'],
      [1.5, '1.5'],
      [100, '100'],
      [0.1, '0.1'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1e14, '100000000000000'],
      [999999999999999, '999999999999999'],
      [1e15, '1e+15'],
      [1234567890123456, '1.234567890123456e+15'],
      // eslint-disable-next-line no-loss-of-precision -- the literal is rounded to float64 on purpose: that rounding is what is printed
      [123456789012345678, '1.2345678901234568e+17'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [5e-324, '5e-324'],
      [-1e-300, '-1e-300'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
    ];
    for (const [n, text] of cases64) expect(encodeFloat(n, 'float64')).toBe(text);
    const cases32: Array<[number, string]> = [
      [1e6, '1e+06'],
      [1e5, '100000'],
      [123456, '123456'],
      [1234567, '1.234567e+06'],
      [Math.fround(1.1), '1.1'],
      [Math.fround(3.4028235e38), '3.4028235e+38'],
      [Math.fround(1.4e-45), '1e-45'],
      [16777216, '1.6777216e+07'],
    ];
    for (const [n, text] of cases32) expect(encodeFloat(n, 'float32')).toBe(text);
    expect(encodeCopyValue(t('float64'), '2.5')).toBe('2.5');
    expect(() => encodeFloat(1.1, 'float32')).toThrow(/float32/);
  });

  it('escapes text like COPY TO does and refuses NUL', () => {
    expect(escapeCopyText('a\\b\tc\nd\re\bf\fg\vh')).toBe('a\\\\b\\tc\\nd\\re\\bf\\fg\\vh');
    expect(escapeCopyText('\\N')).toBe('\\\\N');
    expect(escapeCopyText('Åsa 北京 😀 \u0001')).toBe('Åsa 北京 😀 \u0001');
    expect(escapeCopyText('')).toBe('');
    expect(() => escapeCopyText('a\u0000b')).toThrow(/NUL/);
  });

  it('writes booleans, binary and uuids', () => {
    expect(encodeCopyValue(t('boolean'), true)).toBe('t');
    expect(encodeCopyValue(t('boolean'), 0)).toBe('f');
    expect(encodeCopyValue({ kind: 'binary', maxLength: null }, Buffer.from([0, 255, 16]))).toBe('\\\\x00ff10');
    expect(encodeCopyValue({ kind: 'binary', maxLength: 4 }, Buffer.alloc(0))).toBe('\\\\x');
    expect(encodeCopyValue(t('uuid'), '{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}')).toBe(
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    );
    expect(() => encodeCopyValue(t('uuid'), 'nope')).toThrow(/uuid/);
  });

  it('writes dates, times and timestamps in ISO form, UTC, microseconds trimmed', () => {
    expect(encodeCopyValue(t('date'), '2024-02-29')).toBe('2024-02-29');
    expect(encodeCopyValue(t('date'), new Date('0001-01-01T00:00:00Z'))).toBe('0001-01-01');
    expect(encodeCopyValue(t('date'), '9999-12-31T00:00:00')).toBe('9999-12-31');
    expect(encodeCopyValue(t('time'), '23:59:59.9999990')).toBe('23:59:59.999999');
    expect(encodeCopyValue(t('time'), '23:59:59.9999995')).toBe('24:00:00');
    expect(encodeCopyValue(t('time'), '08:00')).toBe('08:00:00');
    expect(encodeCopyValue(t('time'), new Date(Date.UTC(1970, 0, 1, 12, 34, 56, 500)))).toBe('12:34:56.5');
    expect(encodeCopyValue(t('timestamp'), '2006-07-31T13:05:09.1200000')).toBe('2006-07-31 13:05:09.12');
    expect(encodeCopyValue(t('timestamp'), '2006-07-31 13:05:09')).toBe('2006-07-31 13:05:09');
    expect(encodeCopyValue(t('timestamp'), '1999-12-31T23:59:59.99999951')).toBe('2000-01-01 00:00:00');
    expect(encodeCopyValue(t('timestamp'), '2000-01-01T00:00:00.0000005')).toBe('2000-01-01 00:00:00');
    expect(encodeCopyValue(t('timestamp'), '2000-01-01T00:00:00.0000015')).toBe('2000-01-01 00:00:00.000002');
    expect(encodeCopyValue(t('timestamp'), new Date(Date.UTC(2020, 1, 29, 1, 2, 3, 4)))).toBe('2020-02-29 01:02:03.004');
    expect(encodeCopyValue(t('timestamptz'), '2024-01-01T00:30:00+01:00')).toBe('2023-12-31 23:30:00+00');
    expect(encodeCopyValue(t('timestamptz'), '0001-01-01T00:00:00Z')).toBe('0001-01-01 00:00:00+00');
    expect(encodeCopyValue(t('timestamptz'), '9999-12-31T23:59:59.9999999-14:00')).toBe('10000-01-01 14:00:00+00');
    expect(() => encodeCopyValue(t('timestamp'), '2024-01-01T00:00:00+01:00')).toThrow(/timestamp/);
    expect(() => encodeCopyValue(t('timestamp'), 'yesterday')).toThrow(/timestamp/);
    expect(() => encodeCopyValue(t('date'), '0000-12-31')).toThrow(/before 1 AD/);
  });

  it('joins a line with tabs and ends it with a newline', () => {
    expect(encodeCopyLine([t('int32'), { kind: 'text', maxLength: null }, t('boolean')], [1, 'a\tb', null])).toBe(
      '1\ta\\tb\t\\N\n',
    );
  });
});
