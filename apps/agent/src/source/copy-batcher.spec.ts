import { batchCopyLines } from './copy-batcher';
import { isStreamed, type SourceBatch } from './source-connector';

/** COPY text in chunks of `size` bytes, as a socket would cut it. */
async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

interface Seen {
  sequence: number;
  firstRow: number;
  rows: number;
  streamed: boolean;
  landed: boolean;
  text: string;
  largestPiece: number;
}

async function read(batches: AsyncIterable<SourceBatch>): Promise<Seen[]> {
  const seen: Seen[] = [];
  for await (const batch of batches) {
    const pieces: Buffer[] = [];
    if (isStreamed(batch)) for await (const piece of batch.pieces) pieces.push(piece);
    else pieces.push(...batch.chunks);
    seen.push({
      sequence: batch.sequence,
      firstRow: batch.firstRow,
      rows: batch.rows,
      streamed: isStreamed(batch),
      landed: isStreamed(batch) && batch.landed,
      text: Buffer.concat(pieces).toString(),
      largestPiece: Math.max(0, ...pieces.map((p) => p.length)),
    });
  }
  return seen;
}

const rowsOf = (n: number, long: Map<number, number> = new Map()) =>
  Array.from({ length: n }, (_, i) => `${i}\t${'v'.repeat(long.get(i) ?? 10)}\n`).join('');

describe('batchCopyLines', () => {
  it('streams a row longer than a batch on its own, never holding it whole', async () => {
    const text = rowsOf(30, new Map([[12, 50_000]]));
    const seen = await read(batchCopyLines('t', chunked(text, 1000), { maxRows: 10, maxBytes: 2048 }));
    expect(seen.map((b) => b.text).join('')).toBe(text);
    const large = seen.find((b) => b.streamed)!;
    expect(large).toMatchObject({ firstRow: 12, rows: 1, landed: false });
    expect(large.largestPiece).toBeLessThanOrEqual(2048 + 1000);
    expect(seen.map((b) => [b.sequence, b.firstRow, b.rows])).toEqual([
      [0, 0, 10],
      [1, 10, 2],
      [2, 12, 1],
      [3, 13, 10],
      [4, 23, 7],
    ]);
  });

  it('keeps landed batches as they were cut and cuts the rows around them with other limits', async () => {
    const text = rowsOf(40);
    const landed = [
      { sequence: 0, firstRow: 0, rows: 8 },
      { sequence: 3, firstRow: 24, rows: 8 },
    ];
    const seen = await read(batchCopyLines('t', chunked(text, 37), { maxRows: 5, maxBytes: 1 << 20 }, { landed }));
    expect(seen.map((b) => b.text).join('')).toBe(text);
    expect(seen.map((b) => [b.sequence, b.firstRow, b.rows, b.landed])).toEqual([
      [0, 0, 8, true],
      [4, 8, 5, false],
      [5, 13, 5, false],
      [6, 18, 5, false],
      [7, 23, 1, false],
      [3, 24, 8, true],
      [8, 32, 5, false],
      [9, 37, 3, false],
    ]);
  });

  it('says the source changed when it ends inside a landed batch', async () => {
    const landed = [{ sequence: 0, firstRow: 5, rows: 10 }];
    await expect(read(batchCopyLines('t', chunked(rowsOf(8), 16), { maxRows: 5, maxBytes: 1 << 20 }, { landed }))).rejects.toMatchObject({
      code: 'BATCH_CONFLICT',
    });
  });

  it('refuses a row past the row limit with ROW_TOO_LARGE, naming the table and the row key', async () => {
    const text = `1\tshort\n42\t${'x'.repeat(10_000)}\n`;
    const key = { columns: ['id'], positions: [0] };
    await expect(
      read(batchCopyLines('contact', chunked(text, 500), { maxRows: 10, maxBytes: 1024 }, { key, maxRowBytes: 5000 })),
    ).rejects.toMatchObject({ code: 'ROW_TOO_LARGE', message: expect.stringMatching(/Table contact: the row with id = 42 is longer than 5000 bytes/) });
  });
});
