/**
 * A small reader for the expressions a source catalog prints (defaults,
 * index keys, index filters): PostgreSQL's pg_get_expr/pg_get_indexdef and
 * SQL Server's sys.default_constraints/sys.indexes text. It only builds a
 * tree; what a tree may mean is decided by the translators, which accept a
 * few shapes and report everything else. Nothing read here is ever run.
 */

export type Token =
  | { kind: 'name'; text: string; quoted: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'binary'; hex: string }
  | { kind: 'punct'; text: string };

export type Expr =
  /** A bare word (a column, `true`, `NULL`, `CURRENT_TIMESTAMP`) or a quoted name (always a column). */
  | { kind: 'name'; name: string; quoted: boolean }
  | { kind: 'string'; value: string }
  /** Digits, possibly with a sign, a fraction and an exponent, as written. */
  | { kind: 'number'; text: string }
  | { kind: 'binary'; hex: string }
  | { kind: 'call'; name: string[]; args: Expr[] }
  | { kind: 'cast'; expr: Expr; type: string }
  | { kind: 'atTimeZone'; expr: Expr; zone: Expr }
  | { kind: 'isNull'; expr: Expr; not: boolean }
  | { kind: 'not'; expr: Expr }
  | { kind: 'negate'; expr: Expr }
  | { kind: 'binaryOp'; op: string; left: Expr; right: Expr }
  | { kind: 'and'; args: Expr[] }
  | { kind: 'or'; args: Expr[] };

export class ExpressionError extends Error {}

export type Dialect = 'postgres' | 'mssql';

const OPERATORS = ['::', '<>', '!=', '<=', '>=', '!<', '!>', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', ',', '.'];

/** Splits catalog text into tokens; anything outside the small grammar is an ExpressionError. */
export function tokenize(text: string, dialect: Dialect): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const quoted = (close: string): string => {
    let value = '';
    i++;
    for (;;) {
      if (i >= text.length) throw new ExpressionError('unterminated quoted text');
      if (text[i] === close) {
        if (text[i + 1] === close) {
          value += close;
          i += 2;
          continue;
        }
        i++;
        return value;
      }
      value += text[i++];
    }
  };
  while (i < text.length) {
    const ch = text[i]!;
    const rest = text.slice(i);
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      tokens.push({ kind: 'string', value: quoted("'") });
    } else if (dialect === 'mssql' && /^[Nn]'/.test(rest)) {
      i++;
      tokens.push({ kind: 'string', value: quoted("'") });
    } else if (ch === '"') {
      tokens.push({ kind: 'name', text: quoted('"'), quoted: true });
    } else if (dialect === 'mssql' && ch === '[') {
      tokens.push({ kind: 'name', text: quoted(']'), quoted: true });
    } else if (dialect === 'mssql' && /^0x[0-9a-f]*/i.test(rest)) {
      const hex = /^0x([0-9a-f]*)/i.exec(rest)![1]!;
      tokens.push({ kind: 'binary', hex: hex.toLowerCase() });
      i += 2 + hex.length;
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const number = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(rest)![0];
      tokens.push({ kind: 'number', text: number });
      i += number.length;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(ch)) {
      const word = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$#@\u0080-\uffff]*/.exec(rest)![0];
      // E'…' strings carry backslash escapes this reader does not interpret.
      if (text[i + word.length] === "'") throw new ExpressionError(`prefixed string ${word}'…' is not supported`);
      tokens.push({ kind: 'name', text: word, quoted: false });
      i += word.length;
    } else {
      const op = OPERATORS.find((o) => rest.startsWith(o) && (o !== '::' || dialect === 'postgres'));
      if (!op) throw new ExpressionError(`unexpected character ${JSON.stringify(ch)}`);
      tokens.push({ kind: 'punct', text: op });
      i += op.length;
    }
  }
  return tokens;
}

/** Words that may continue a multi-word PostgreSQL type name after `::`. */
const TYPE_WORDS = new Set(['varying', 'precision', 'without', 'with', 'time', 'zone']);

const COMPARISONS = new Set(['=', '<>', '!=', '<', '<=', '>', '>=', '!<', '!>']);

/** Parses a whole expression; trailing text is an error, not ignored. */
export function parseExpression(text: string, dialect: Dialect): Expr {
  const tokens = tokenize(text, dialect);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (t: Token | undefined, word: string) => t?.kind === 'name' && !t.quoted && t.text.toUpperCase() === word;
  const isPunct = (t: Token | undefined, p: string) => t?.kind === 'punct' && t.text === p;
  const expect = (p: string) => {
    if (!isPunct(peek(), p)) throw new ExpressionError(`expected ${p}`);
    pos++;
  };

  const typeName = (): string => {
    const words: string[] = [];
    const first = tokens[pos];
    if (first?.kind !== 'name') throw new ExpressionError('expected a type name after ::');
    words.push(first.text);
    pos++;
    while (isPunct(peek(), '.') && tokens[pos + 1]?.kind === 'name') {
      words.push('.' + (tokens[pos + 1] as { text: string }).text);
      pos += 2;
    }
    for (let t = peek(); t?.kind === 'name' && !t.quoted && TYPE_WORDS.has(t.text.toLowerCase()); t = peek()) {
      words.push(' ' + t.text);
      pos++;
    }
    if (isPunct(peek(), '(')) {
      let modifier = '(';
      pos++;
      while (!isPunct(peek(), ')')) {
        const t = tokens[pos++];
        if (!t || (t.kind !== 'number' && !isPunct(t, ','))) throw new ExpressionError('unexpected type modifier');
        modifier += t.kind === 'number' ? t.text : ',';
      }
      pos++;
      words.push(modifier + ')');
    }
    return words.join('').toLowerCase();
  };

  const primary = (): Expr => {
    const t = tokens[pos++];
    if (!t) throw new ExpressionError('unexpected end of expression');
    if (t.kind === 'string') return { kind: 'string', value: t.value };
    if (t.kind === 'number') return { kind: 'number', text: t.text };
    if (t.kind === 'binary') return { kind: 'binary', hex: t.hex };
    if (isPunct(t, '(')) {
      const inner = expression(0);
      expect(')');
      return inner;
    }
    if (isPunct(t, '-')) {
      const operand = expression(8);
      return operand.kind === 'number' && !operand.text.startsWith('-')
        ? { kind: 'number', text: '-' + operand.text }
        : { kind: 'negate', expr: operand };
    }
    if (isWord(t, 'NOT')) return { kind: 'not', expr: expression(3) };
    if (t.kind === 'name') {
      const name = [t.text];
      while (isPunct(peek(), '.') && tokens[pos + 1]?.kind === 'name') {
        name.push((tokens[pos + 1] as { text: string }).text);
        pos += 2;
      }
      if (isPunct(peek(), '(')) {
        pos++;
        const args: Expr[] = [];
        while (!isPunct(peek(), ')')) {
          args.push(expression(0));
          if (!isPunct(peek(), ',')) break;
          pos++;
        }
        expect(')');
        return { kind: 'call', name, args };
      }
      if (name.length > 1) throw new ExpressionError('qualified names are not supported');
      return { kind: 'name', name: t.text, quoted: t.quoted };
    }
    throw new ExpressionError(`unexpected ${(t as { text?: string }).text ?? 'token'}`);
  };

  // Precedence climbing: OR 1, AND 2, NOT 3, IS 4, comparison 5, + - 6, * / % 7, unary 8, AT TIME ZONE 9, :: 10.
  const expression = (min: number): Expr => {
    let left = primary();
    for (;;) {
      const t = peek();
      if (isPunct(t, '::') && min <= 10) {
        pos++;
        left = { kind: 'cast', expr: left, type: typeName() };
      } else if (isWord(t, 'AT') && isWord(tokens[pos + 1], 'TIME') && isWord(tokens[pos + 2], 'ZONE') && min <= 9) {
        pos += 3;
        left = { kind: 'atTimeZone', expr: left, zone: expression(10) };
      } else if (t?.kind === 'punct' && ['*', '/', '%'].includes(t.text) && min <= 7) {
        pos++;
        left = { kind: 'binaryOp', op: t.text, left, right: expression(8) };
      } else if (t?.kind === 'punct' && ['+', '-'].includes(t.text) && min <= 6) {
        pos++;
        left = { kind: 'binaryOp', op: t.text, left, right: expression(7) };
      } else if (t?.kind === 'punct' && COMPARISONS.has(t.text) && min <= 5) {
        pos++;
        left = { kind: 'binaryOp', op: t.text, left, right: expression(6) };
      } else if (isWord(t, 'IS') && min <= 4) {
        pos++;
        const not = isWord(peek(), 'NOT');
        if (not) pos++;
        if (!isWord(peek(), 'NULL')) throw new ExpressionError('only IS [NOT] NULL is supported');
        pos++;
        left = { kind: 'isNull', expr: left, not };
      } else if ((isWord(t, 'AND') && min <= 2) || (isWord(t, 'OR') && min <= 1)) {
        const kind = isWord(t, 'AND') ? 'and' : 'or';
        pos++;
        const right = expression(kind === 'and' ? 3 : 2);
        left = left.kind === kind ? { kind, args: [...left.args, right] } : { kind, args: [left, right] };
      } else {
        return left;
      }
    }
  };

  const tree = expression(0);
  if (pos < tokens.length) throw new ExpressionError('unexpected text after the expression');
  return tree;
}

/** Parses, or gives the reason it could not: translators turn that into an untranslated entry. */
export function tryParseExpression(text: string, dialect: Dialect): Expr | { error: string } {
  try {
    return parseExpression(text, dialect);
  } catch (error) {
    if (error instanceof ExpressionError) return { error: `not understood (${error.message})` };
    throw error;
  }
}

/** The bare word an expression is, upper-cased (`NULL`, `TRUE`, `CURRENT_DATE`), or null. */
export function keywordOf(expr: Expr): string | null {
  return expr.kind === 'name' && !expr.quoted ? expr.name.toUpperCase() : null;
}
