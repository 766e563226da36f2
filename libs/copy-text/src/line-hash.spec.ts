import { LineHasher, hashLine } from './line-hash';

/** The line hash as hex, seed 0's four words then seed 0x7fffffff's. */
function lineHash(text: string, offset = 0): string {
  // Placed at an odd offset in a larger buffer: the hash must not depend on where the line sits.
  const bytes = Buffer.concat([Buffer.alloc(offset, 0x41), Buffer.from(text, 'utf8'), Buffer.from('\n')]);
  const out = new Uint32Array(8);
  hashLine(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset, bytes.length - 1, out);
  return [...out].map((w) => w.toString(16).padStart(8, '0')).join('');
}

/**
 * Published MurmurHash3_x86_128 results (h1 h2 h3 h4) for seed 0 and seed
 * 0x7fffffff, as in the test vectors of independent implementations; every
 * tail length 0–15 and one and two whole blocks are covered.
 */
const VECTORS: Array<[string, string, string]> = [
  ['', '00000000000000000000000000000000', 'c129af263e0227f33e0227f33e0227f3'],
  ['H', 'f69feb5df45637a0f45637a0f45637a0', '7318960e1fae47491fae47491fae4749'],
  ['Hello', '2360ae465e6336c6ad45b3f4ad45b3f4', 'd199cd6138e926b1c36b04b1c36b04b1'],
  ['Hello Wor', '107e2665706ff8b8eb00bf34e910bf63', '7c203edfd070f0eef55e38d596b56c05'],
  ['Hello World!', '6bee9883eb1be4f59dfb7172ae3fbea9', 'c66703b38475a0687ee6e07dcce15102'],
  ['Hello World! H', 'aaadb4452b35ce375a481289ecaa84fe', 'e956e8cff898ad20404c98dd66b68656'],
  ['Hello World! Hel', '82475db0161f88d8850474822a76794a', 'e86a20fa710c98feebc2dd1c727d648c'],
  ['Hello World! Hell', 'a0cf95de87e61640ad45f08dc508c90a', 'c138efea1430dda096ff61dd6e784098'],
  ['Hello World! Hello World! Hello W', '27294dbafc42c30f0321c9080f55d4be', 'cb1dfd35d8462285c0aecd80f61af095'],
  ['Hello World! Hello World! Hello World!', '0097c20b59c7de4e21bf270576dcfc2f', 'e3c6f6b4f6a9a924be2cec052379f232'],
  ['メロス', 'dcfa2df52a3c5ab9d74d6d304e537d23', '7fea30b0b9fbab33c5857aa8c4632bc8'],
];

describe('hashLine', () => {
  it.each(VECTORS)('is MurmurHash3_x86_128 with seeds 0 and 0x7fffffff of %j', (text, seed0, seed7f) => {
    expect(lineHash(text)).toBe(seed0 + seed7f);
    expect(lineHash(text, 3)).toBe(seed0 + seed7f);
  });

  it('changes with any single changed byte', () => {
    const line = '42\tÅsa Ødegård\t2024-02-29 12:00:00\t\\N\t3.14';
    const hashes = new Set([lineHash(line)]);
    for (let i = 0; i < line.length; i++) hashes.add(lineHash(line.slice(0, i) + '#' + line.slice(i + 1)));
    expect(hashes.size).toBe(line.length + 1);
  });
});

describe('LineHasher', () => {
  it('equals hashLine over the joined bytes, however the line is cut', () => {
    const whole = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) % 251));
    const expected = new Uint32Array(8);
    const got = new Uint32Array(8);
    const hasher = new LineHasher();
    for (const length of [0, 1, 15, 16, 17, 31, 33, 1000]) {
      const line = whole.subarray(0, length);
      hashLine(line, new DataView(line.buffer, line.byteOffset, line.byteLength), 0, length, expected);
      for (const step of [1, 3, 7, 16, 50, 1000]) {
        for (let at = 0; at < length; at += step) {
          const piece = Buffer.from(line.subarray(at, Math.min(length, at + step)));
          hasher.update(piece, new DataView(piece.buffer, piece.byteOffset, piece.byteLength), 0, piece.length);
        }
        hasher.finish(got);
        expect([...got]).toEqual([...expected]);
      }
    }
  });
});
