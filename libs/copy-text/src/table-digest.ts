import { LINE_HASH_WORDS, LineHasher, hashLine } from './line-hash';

const NEWLINE = 0x0a;

export interface TableDigestResult {
  rows: number;
  /** 64 lowercase hex digits. */
  hash: string;
}

/**
 * The content hash of a table in COPY text: the sum, modulo 2^256, of the
 * 256-bit line hash (see line-hash.ts) of every line without its newline,
 * plus the line count.
 *
 * A sum does not depend on row order, so the source can stream in key order,
 * the worker can read back without ORDER BY, and tables without a primary key
 * verify too; a duplicated row still counts twice. It guards against loss
 * and corruption, not against someone crafting collisions on purpose.
 *
 * Feed it the bytes of `COPY … TO STDOUT` in any chunking: a line split
 * across chunks is joined before it is hashed.
 */
export class TableDigest {
  /** 32-bit words, most significant first. */
  private readonly sum = new Array<number>(LINE_HASH_WORDS).fill(0);
  private readonly line = new Uint32Array(LINE_HASH_WORDS);
  private rows = 0;
  /** A line begun in an earlier chunk: hashed as it comes, never held (a blob's line can be hundreds of megabytes). */
  private readonly partial = new LineHasher();
  private inLine = false;

  update(chunk: Buffer): this {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    const view = viewOf(chunk);
    if (newline !== -1 && this.inLine) {
      this.partial.update(chunk, view, 0, newline);
      this.partial.finish(this.line);
      this.addHash();
      this.inLine = false;
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      this.addLine(chunk, view, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      this.partial.update(chunk, view, start, chunk.length);
      this.inLine = true;
    }
    return this;
  }

  /** The result so far; throws when the input ended inside a line (COPY text always ends each row with a newline). */
  digest(): TableDigestResult {
    if (this.inLine) throw new Error('COPY text ended inside a row (no final newline).');
    return { rows: this.rows, hash: this.sum.map((w) => w.toString(16).padStart(8, '0')).join('') };
  }

  private addLine(bytes: Buffer, view: DataView, start: number, end: number): void {
    hashLine(bytes, view, start, end, this.line);
    this.addHash();
  }

  /** Adds the line hash in `this.line` to the sum. */
  private addHash(): void {
    const h = this.line;
    let carry = 0;
    for (let i = LINE_HASH_WORDS - 1; i >= 0; i--) {
      const total = this.sum[i]! + h[i]! + carry;
      this.sum[i] = total >>> 0;
      carry = total > 0xffffffff ? 1 : 0;
    }
    this.rows++;
  }
}

function viewOf(bytes: Buffer): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Digest of whole COPY text held in memory (a batch, a test fixture). */
export function digestCopyText(data: Buffer | string): TableDigestResult {
  return new TableDigest().update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).digest();
}

/** Digest over an async stream of COPY text chunks (`COPY … TO STDOUT`, a file), hashing as it reads. */
export async function digestCopyStream(chunks: AsyncIterable<Buffer>): Promise<TableDigestResult> {
  const digest = new TableDigest();
  for await (const chunk of chunks) digest.update(chunk);
  return digest.digest();
}
