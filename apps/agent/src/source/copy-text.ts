import { OmtError, type ColumnType } from '@omt/contracts';

/**
 * Encodes JS values as PostgreSQL prints them in COPY text format under the
 * agent's fixed session settings (DateStyle ISO/YMD, TimeZone UTC,
 * extra_float_digits 3, bytea_output hex). The worker pipes the lines into
 * `COPY FROM` unparsed and verification hashes them, so every value must be
 * byte-for-byte what `COPY TO` of the same value would produce.
 *
 * Accepted inputs per kind are the shapes the drivers return: numbers,
 * bigints and digit strings for integers; strings for decimals (drivers lose
 * precision on numbers); Dates or ISO strings for temporal values.
 */

export const COPY_NULL = '\\N';

export function encodeCopyLine(types: readonly ColumnType[], values: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < types.length; i++) {
    if (i > 0) line += '\t';
    line += encodeCopyValue(types[i]!, values[i]);
  }
  return line + '\n';
}

export function encodeCopyValue(type: ColumnType, value: unknown): string {
  if (value === null || value === undefined) return COPY_NULL;
  switch (type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
      return encodeInteger(value);
    case 'decimal':
      return encodeDecimal(value, type.scale);
    case 'float32':
      return encodeFloat(toNumber(value), 'float32');
    case 'float64':
      return encodeFloat(toNumber(value), 'float64');
    case 'boolean':
      return encodeBoolean(value);
    case 'text':
      return escapeCopyText(toText(value));
    case 'binary':
      return encodeBinary(value);
    case 'date':
      return encodeDate(value);
    case 'time':
      return encodeTime(value);
    case 'timestamp':
      return encodeTimestamp(value, false);
    case 'timestamptz':
      return encodeTimestamp(value, true);
    case 'uuid':
      return encodeUuid(value);
  }
}

function invalid(value: unknown, what: string): OmtError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new OmtError('VALIDATION_FAILED', `Cannot encode ${shown.slice(0, 80)} as ${what}.`);
}

// Backslash first is implied by the single pass: each character is replaced on its own.
const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
};

export function escapeCopyText(text: string): string {
  if (text.includes('\u0000')) throw invalid(text, 'text (PostgreSQL text cannot hold NUL characters)');
  return text.replace(/[\\\n\r\t\b\f\v]/g, (c) => COPY_ESCAPES[c]!);
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw invalid(value, 'text');
}

function encodeInteger(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return BigInt(value.trim()).toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  throw invalid(value, 'an integer');
}

/** Prints with exactly `scale` fraction digits, rounding half away from zero as numeric input does. */
export function encodeDecimal(value: unknown, scale: number): string {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'number' && Number.isFinite(value)) text = numberToPlainDecimal(value);
  else if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  else throw invalid(value, 'a decimal');
  if (/^nan$/i.test(text)) return 'NaN';
  const match = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw invalid(value, 'a decimal');
  const negative = match[1] === '-';
  let whole = match[2] ?? '';
  let fraction = match[3] ?? '';
  if (fraction.length > scale) {
    const roundUp = fraction.charCodeAt(scale) >= 0x35; // '5'
    fraction = fraction.slice(0, scale);
    if (roundUp) {
      const digits = incrementDigits(whole + fraction);
      whole = digits.slice(0, digits.length - scale);
      fraction = digits.slice(digits.length - scale);
    }
  }
  fraction = fraction.padEnd(scale, '0');
  whole = whole.replace(/^0+/, '') || '0';
  const isZero = /^0*$/.test(whole + fraction);
  const sign = negative && !isZero ? '-' : '';
  return scale > 0 ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}

function incrementDigits(digits: string): string {
  const chars = digits.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === '9') chars[i] = '0';
    else {
      chars[i] = String.fromCharCode(chars[i]!.charCodeAt(0) + 1);
      return chars.join('');
    }
  }
  return '1' + chars.join('');
}

/** Plain positional notation of a finite number, without an exponent. */
function numberToPlainDecimal(n: number): string {
  const { negative, digits, exponent } = shortestDigits(n, 'float64');
  const sign = negative ? '-' : '';
  return sign + positional(digits, exponent);
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const t = value.trim();
    if (/^nan$/i.test(t)) return NaN;
    if (/^[+]?inf(inity)?$/i.test(t)) return Infinity;
    if (/^-inf(inity)?$/i.test(t)) return -Infinity;
    const n = Number(t);
    if (t !== '' && !Number.isNaN(n)) return n;
  }
  throw invalid(value, 'a float');
}

interface DecimalDigits {
  negative: boolean;
  /** Significant digits without leading or trailing zeros, e.g. "12345". */
  digits: string;
  /** Decimal exponent of the first digit: value = d.ddd × 10^exponent. */
  exponent: number;
}

/** The two float32 values next to `n` (n finite, non-zero, representable as float32). */
function float32Neighbours(n: number): [number, number] {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, n);
  const bits = view.getUint32(0);
  view.setUint32(0, bits - 1);
  const towardZero = view.getFloat32(0);
  view.setUint32(0, bits + 1);
  return [towardZero, view.getFloat32(0)];
}

/**
 * True when `candidate` reads back as float32 `n` and is not exactly halfway
 * to a neighbour: JavaScript rounds such a tie to the even neighbour, but
 * PostgreSQL's shortest-digits printer (Ryu) never accepts a tie, so it
 * prints more digits there (122287904 is `1.22287904e+08`, not `1.222879e+08`).
 */
function readsBackAsFloat32(candidate: number, n: number): boolean {
  if (Math.fround(candidate) !== n) return false;
  return float32Neighbours(n).every((neighbour) => candidate !== (n + neighbour) / 2);
}

/** The exact decimal expansion of a positive finite float32: value = 0.d1d2d3… × 10^(exponent + 1). */
function exactFloat32Decimal(n: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, n);
  const bits = view.getUint32(0);
  const biased = (bits >>> 23) & 0xff;
  const mantissa = BigInt(biased === 0 ? bits & 0x7fffff : (bits & 0x7fffff) | 0x800000);
  const power = (biased === 0 ? 1 : biased) - 127 - 23;
  // m × 2^p = m × 5^-p / 10^-p when p < 0, so the digits are exact integers.
  const scaled = power >= 0 ? (mantissa << BigInt(power)).toString() : (mantissa * 5n ** BigInt(-power)).toString();
  const exponent = scaled.length - 1 + Math.min(power, 0);
  return { digits: scaled.replace(/0+$/, ''), exponent };
}

/** The k-digit decimals just below and above the exact value, the nearer first (ties to even, as Ryu). */
function float32Candidates(digits: string, exponent: number, k: number): { digits: string; exponent: number }[] {
  if (digits.length <= k) return [{ digits, exponent }];
  const down = BigInt(digits.slice(0, k));
  const up = down + 1n;
  const rest = digits.slice(k);
  const half = rest[0] === '5' && /^0*$/.test(rest.slice(1));
  const upIsNearer = rest[0]! > '5' || (rest[0] === '5' && !half) || (half && down % 2n === 1n);
  const asDecimal = (value: bigint) => {
    const text = value.toString();
    // 99…9 + 1 carries into one more digit: 10…0 at the next exponent.
    return { digits: text.length > k ? text.slice(0, k) : text, exponent: exponent + (text.length > k ? 1 : 0) };
  };
  return upIsNearer ? [asDecimal(up), asDecimal(down)] : [asDecimal(down), asDecimal(up)];
}

/** Shortest digits for a float32 exactly as PostgreSQL's Ryu prints them. */
function shortestFloat32Digits(n: number): { digits: string; exponent: number } {
  const exact = exactFloat32Decimal(Math.abs(n));
  for (let k = 1; k <= 9; k++) {
    for (const candidate of float32Candidates(exact.digits, exact.exponent, k)) {
      const value = Number(`${candidate.digits}e${candidate.exponent - candidate.digits.length + 1}`);
      if (readsBackAsFloat32(value, Math.abs(n))) return candidate;
    }
  }
  return exact; // unreachable: 9 significant digits always identify a float32
}

/** The shortest digits that read back as the same float64 (or float32) value, as Ryu gives PostgreSQL. */
function shortestDigits(n: number, width: 'float32' | 'float64'): DecimalDigits {
  const negative = n < 0 || Object.is(n, -0);
  if (width === 'float32') {
    const { digits, exponent } = shortestFloat32Digits(n);
    return { negative, digits: digits.replace(/0+$/, '') || '0', exponent };
  }
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(n.toExponential())!;
  const digits = ((m[2] ?? '') + (m[3] ?? '')).replace(/0+$/, '') || '0';
  return { negative, digits, exponent: Number(m[4]) };
}

function positional(digits: string, exponent: number): string {
  if (exponent < 0) return '0.' + '0'.repeat(-exponent - 1) + digits;
  if (digits.length <= exponent + 1) return digits + '0'.repeat(exponent + 1 - digits.length);
  return digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1);
}

/**
 * PostgreSQL (12+, extra_float_digits > 0) prints the shortest exact digits,
 * positionally when the exponent is in [-4, 15) for float8 or [-4, 6) for
 * float4, otherwise as `d.ddde±XX` with at least two exponent digits.
 */
export function encodeFloat(n: number, width: 'float32' | 'float64'): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (width === 'float32' && Math.fround(n) !== n) throw invalid(n, 'a float32 (value is not representable)');
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const { negative, digits, exponent } = shortestDigits(n, width);
  const sign = negative ? '-' : '';
  const limit = width === 'float64' ? 15 : 6;
  if (exponent < -4 || exponent >= limit) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const abs = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  return sign + positional(digits, exponent);
}

function encodeBoolean(value: unknown): string {
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value === 0 || value === 1) return value === 1 ? 't' : 'f';
  throw invalid(value, 'a boolean');
}

function encodeBinary(value: unknown): string {
  if (value instanceof Uint8Array) return '\\\\x' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  throw invalid(value, 'binary');
}

function encodeUuid(value: unknown): string {
  if (typeof value === 'string') {
    const t = value.trim().replace(/^\{|\}$/g, '').toLowerCase();
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(t)) return t;
  }
  throw invalid(value, 'a uuid');
}

// ---- temporal values: integer microseconds so rounding and offsets carry exactly ----

const MICROS_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Microseconds from a fraction of a second given as digits, rounded half to even like PostgreSQL's rint(). */
function fractionToMicros(fraction: string): bigint {
  if (fraction.length <= 6) return BigInt(fraction.padEnd(6, '0'));
  const kept = BigInt(fraction.slice(0, 6));
  const rest = fraction.slice(6);
  const half = '5'.padEnd(rest.length, '0');
  if (rest > half || (rest === half && kept % 2n === 1n)) return kept + 1n;
  return kept;
}

const pad = (n: number | bigint, width: number) => String(n).padStart(width, '0');

function formatTimeOfDay(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  const fraction = micros % 1_000_000n;
  const h = seconds / 3600n;
  const m = (seconds / 60n) % 60n;
  const s = seconds % 60n;
  const frac = fraction === 0n ? '' : '.' + pad(fraction, 6).replace(/0+$/, '');
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${frac}`;
}

function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  if (y < 1) throw invalid(`${y}-${m}-${d}`, 'a date (years before 1 AD are not supported)');
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

const ISO_TIMESTAMP =
  /^(\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Microseconds since the epoch (UTC) and whether the text carried an offset. */
function parseTimestamp(value: unknown, what: string): { micros: bigint; hadOffset: boolean } {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid(value, what);
    return { micros: BigInt(value.getTime()) * 1000n, hadOffset: true };
  }
  if (typeof value !== 'string') throw invalid(value, what);
  const m = ISO_TIMESTAMP.exec(value.trim());
  if (!m) throw invalid(value, what);
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  const timeMicros =
    BigInt(Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0)) * 1_000_000n +
    fractionToMicros(m[7] ?? '');
  let micros = BigInt(days) * MICROS_PER_DAY + timeMicros;
  const offset = m[8];
  if (offset && offset.toUpperCase() !== 'Z') {
    const sign = offset.startsWith('-') ? -1n : 1n;
    const digits = offset.slice(1).replace(':', '');
    const minutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
    micros -= sign * minutes * 60_000_000n;
  }
  return { micros, hadOffset: offset !== undefined };
}

function splitMicros(micros: bigint): { days: number; timeOfDay: bigint } {
  let days = micros / MICROS_PER_DAY;
  let timeOfDay = micros % MICROS_PER_DAY;
  if (timeOfDay < 0n) {
    timeOfDay += MICROS_PER_DAY;
    days -= 1n;
  }
  return { days: Number(days), timeOfDay };
}

function encodeTimestamp(value: unknown, withZone: boolean): string {
  const what = withZone ? 'a timestamp with time zone' : 'a timestamp';
  const { micros, hadOffset } = parseTimestamp(value, what);
  // A zone on a plain timestamp would silently shift it; the reader must strip it knowingly.
  if (!withZone && hadOffset && !(value instanceof Date)) throw invalid(value, what);
  const { days, timeOfDay } = splitMicros(micros);
  return `${formatDate(days)} ${formatTimeOfDay(timeOfDay)}${withZone ? '+00' : ''}`;
}

function encodeDate(value: unknown): string {
  if (value instanceof Date || typeof value === 'string') {
    const text = typeof value === 'string' ? value.trim().slice(0, 10) : value;
    const { micros } = parseTimestamp(text, 'a date');
    return formatDate(splitMicros(micros).days);
  }
  throw invalid(value, 'a date');
}

function encodeTime(value: unknown): string {
  if (value instanceof Date) {
    const ms = ((value.getTime() % 86_400_000) + 86_400_000) % 86_400_000;
    return formatTimeOfDay(BigInt(ms) * 1000n);
  }
  if (typeof value === 'string') {
    const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/.exec(value.trim());
    if (m) {
      const micros =
        BigInt(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0)) * 1_000_000n + fractionToMicros(m[4] ?? '');
      if (micros <= MICROS_PER_DAY) return formatTimeOfDay(micros);
    }
  }
  throw invalid(value, 'a time');
}
