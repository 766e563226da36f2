import { hashLine } from './line-hash';
import { TableDigest, digestCopyStream, digestCopyText } from './table-digest';

/** The definition, written the slow obvious way: each line on its own, summed as a big integer. */
function reference(lines: string[]): string {
  let sum = 0n;
  for (const line of lines) {
    const bytes = Buffer.from(line, 'utf8');
    const words = new Uint32Array(8);
    hashLine(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.length, words);
    sum += BigInt('0x' + [...words].map((w) => w.toString(16).padStart(8, '0')).join(''));
  }
  return (sum % (1n << 256n)).toString(16).padStart(64, '0');
}

const LINES = ['1\tÅsa\t\\N', '2\t\\\\x00ff\t2024-02-29', '3\t北京 😀\t-0', '', '4\t\t'];
const TEXT = LINES.map((l) => l + '\n').join('');

describe('TableDigest', () => {
  it('is the sum of the lines’ hashes modulo 2^256, with the row count', () => {
    expect(digestCopyText(TEXT)).toEqual({ rows: 5, hash: reference(LINES) });
  });

  it('wraps around at 2^256 like the definition', () => {
    const many = Array.from({ length: 300 }, (_, i) => `row ${i}`);
    expect(digestCopyText(many.map((l) => l + '\n').join('')).hash).toBe(reference(many));
  });

  it('does not depend on row order, but counts duplicates', () => {
    const reversed = [...LINES]
      .reverse()
      .map((l) => l + '\n')
      .join('');
    expect(digestCopyText(reversed)).toEqual(digestCopyText(TEXT));
    expect(digestCopyText(TEXT + LINES[0] + '\n')).not.toEqual(digestCopyText(TEXT));
    expect(digestCopyText(TEXT + LINES[0] + '\n').rows).toBe(6);
  });

  it('does not depend on how the bytes are cut into chunks', () => {
    const bytes = Buffer.from(TEXT, 'utf8');
    const whole = digestCopyText(bytes);
    for (let a = 0; a <= bytes.length; a++) {
      for (let b = a; b <= bytes.length; b += 3) {
        const d = new TableDigest();
        d.update(bytes.subarray(0, a)).update(bytes.subarray(a, b)).update(bytes.subarray(b));
        expect(d.digest()).toEqual(whole);
      }
    }
  });

  it('copies a trailing partial line so a reused buffer cannot change it', () => {
    const d = new TableDigest();
    const buffer = Buffer.from('abc');
    d.update(buffer);
    buffer.write('xyz');
    d.update(Buffer.from('\n'));
    expect(d.digest()).toEqual(digestCopyText('abc\n'));
  });

  it('is zero for an empty table and refuses a missing final newline', () => {
    expect(digestCopyText('')).toEqual({ rows: 0, hash: '0'.repeat(64) });
    expect(() => digestCopyText('1\t2')).toThrow(/ended inside a row/);
  });

  it('reads an async stream', async () => {
    async function* chunks() {
      yield Buffer.from(TEXT.slice(0, 7));
      yield Buffer.from(TEXT.slice(7));
    }
    expect(await digestCopyStream(chunks())).toEqual(digestCopyText(TEXT));
  });
});
