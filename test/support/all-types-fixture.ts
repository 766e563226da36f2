import type { Client } from 'pg';

/**
 * Table `src."All Types"`: every neutral type at its extremes (unicode, nulls,
 * empty strings, NaN/±Infinity/-0, max numerics, first and last timestamps,
 * every byte value, an identifier that needs quoting), six rows. Shared by the
 * connector's and the worker's round-trip tests so both prove the same thing.
 * The schema `src` must exist.
 */
const ALL_TYPES_DDL = `CREATE TABLE src."All Types" (
  id integer PRIMARY KEY,
  i16 smallint, i32 integer, i64 bigint,
  d38 numeric(38,10), d5 numeric(5,0), d18_4 numeric(18,4),
  f4 real, f8 double precision, b boolean,
  t text, vc varchar(40), ch char(3), bin bytea,
  dt date, tm time, ts timestamp, tstz timestamptz, u uuid,
  "weird ""name""" text
)`;

const ALL_TYPES_ROWS = `INSERT INTO src."All Types" VALUES
 (1, -32768, -2147483648, -9223372036854775808, '9999999999999999999999999999.9999999999', 99999, -12345678901234.5678,
  '-3.4028235e38', '1.7976931348623157e308', true, 'plain', 'Åsa Ødegård 北京 Москва 😀', 'abc',
  '\\x00010203', '0001-01-01', '00:00:00', '0001-01-01 00:00:00', '0001-01-01 00:00:00+00',
  '00000000-0000-0000-0000-000000000000', 'x'),
 (2, 32767, 2147483647, 9223372036854775807, '-9999999999999999999999999999.9999999999', -99999, 0,
  '1.4e-45', '5e-324', false, E'tab\\there\\nnew line\\\\back\\rcr\\bbs\\ffeed\\vvt', '', 'é', '\\x',
  '9999-12-31', '23:59:59.999999', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', E'\\\\N'),
 (3, 0, 0, 0, '0.0000000001', 0, '0.0001', 'NaN', 'NaN', NULL, '', NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, '-0', '-Infinity', NULL, NULL, NULL, NULL, NULL,
  '2024-02-29', '12:34:56.5', '2000-02-29 12:00:00.000001', '1970-01-01 00:00:00+05', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '\\N'),
 (5, NULL, NULL, NULL, NULL, NULL, NULL, 'Infinity', '0.1', NULL, repeat('long ', 20000), NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL)`;

export async function createAllTypesTable(admin: Client): Promise<void> {
  await admin.query(ALL_TYPES_DDL);
  await admin.query(ALL_TYPES_ROWS);
  // An all-byte-values bytea and every BMP-ish character class, beside the literal rows.
  await admin.query(`INSERT INTO src."All Types" (id, bin, t) VALUES (6, $1, $2)`, [
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    Array.from({ length: 2000 }, (_, i) => String.fromCodePoint(i + 1)).join('') + '\u{1F600}\u{10FFFF}',
  ]);
}
