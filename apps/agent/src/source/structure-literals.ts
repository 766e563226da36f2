import type { ColumnType } from '@omt/contracts';
import { keywordOf, type Expr } from './sql-expression';

/** A constant a catalog printed, before it is fitted to a column type. */
export type Constant =
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'binary'; hex: string };

/** Either the translation or the reason it cannot be made (shown to people in `untranslated`). */
export type Translation<T> = { ok: true; value: T } | { ok: false; reason: string };

export const translated = <T>(value: T): Translation<T> => ({ ok: true, value });
export const refused = <T = never>(reason: string): Translation<T> => ({ ok: false, reason });

/** The longest constant the neutral model carries (`literal.value`, filter `value`). */
const MAX_LITERAL = 4000;

/**
 * A bare constant: a string, a number, true/false or a binary literal. Casts
 * are the caller's business (each dialect prints them its own way).
 */
export function bareConstant(expr: Expr): Constant | null {
  switch (expr.kind) {
    case 'string':
      return { kind: 'string', value: expr.value };
    case 'number':
      return { kind: 'number', text: expr.text };
    case 'binary':
      return { kind: 'binary', hex: expr.hex };
    case 'name': {
      const word = keywordOf(expr);
      return word === 'TRUE' || word === 'FALSE' ? { kind: 'boolean', value: word === 'TRUE' } : null;
    }
    default:
      return null;
  }
}

const TRUE_TEXT = /^(t|true|1|y|yes|on)$/i;
const FALSE_TEXT = /^(f|false|0|n|no|off)$/i;
const INTEGER = /^-?[0-9]+$/;
const NUMERIC = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const UUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/**
 * A constant as the text of the column's type (what COPY would carry for
 * it, unescaped): the tenant casts it to the column type, so it must be a
 * value of that type, not SQL. Constants that do not fit are refused.
 */
export function literalFor(constant: Constant, type: ColumnType): Translation<string> {
  const fit = fitConstant(constant, type);
  if (fit.ok && fit.value.length > MAX_LITERAL) return refused(`constant longer than ${MAX_LITERAL} characters`);
  return fit;
}

function fitConstant(c: Constant, type: ColumnType): Translation<string> {
  const text = c.kind === 'string' ? c.value.trim() : c.kind === 'number' ? c.text : null;
  switch (type.kind) {
    case 'boolean':
      if (c.kind === 'boolean') return translated(c.value ? 't' : 'f');
      // SQL Server's bit is 1 for any non-zero number.
      if (c.kind === 'number' && NUMERIC.test(c.text)) return translated(Number(c.text) === 0 ? 'f' : 't');
      if (text !== null && TRUE_TEXT.test(text)) return translated('t');
      if (text !== null && FALSE_TEXT.test(text)) return translated('f');
      break;
    case 'int16':
    case 'int32':
    case 'int64':
      if (text !== null && INTEGER.test(text)) return translated(text);
      break;
    case 'decimal':
    case 'float32':
    case 'float64':
      if (text !== null && NUMERIC.test(text)) return translated(text);
      break;
    case 'text':
      if (c.kind === 'string') return translated(c.value);
      if (c.kind === 'number') return translated(c.text);
      break;
    case 'binary':
      if (c.kind === 'binary') return translated(`\\x${c.hex}`);
      if (c.kind === 'string' && /^\\x([0-9a-f]{2})*$/i.test(c.value)) return translated(c.value.toLowerCase());
      break;
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      if (c.kind === 'string') return translated(c.value);
      break;
    case 'uuid': {
      const uuid = c.kind === 'string' ? UUID.exec(text!) : null;
      if (uuid) return translated(uuid[1]!.toLowerCase());
      break;
    }
  }
  return refused(`constant ${describe(c)} does not fit a ${type.kind} column`);
}

function describe(c: Constant): string {
  switch (c.kind) {
    case 'string':
      return `'${c.value.length > 40 ? c.value.slice(0, 40) + '…' : c.value}'`;
    case 'number':
      return c.text;
    case 'boolean':
      return String(c.value);
    case 'binary':
      return `0x${c.hex.slice(0, 40)}`;
  }
}
