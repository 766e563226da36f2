/**
 * The 256-bit hash of one COPY text line that TableDigest sums: MurmurHash3
 * x86_128 (Austin Appleby's public-domain reference) of the line with seed 0,
 * followed by the same with seed 0x7fffffff, as eight 32-bit words h1…h4, h1…h4.
 *
 * Why not sha256 per line: a table is hashed one line at a time on the agent
 * and again by the verifier, and Node's per-call cost of `crypto.hash` (about
 * 3 µs) made that the largest single CPU cost of a migration. This runs in
 * JavaScript at memory speed with no call across to C++. It detects loss and
 * corruption (the batches themselves travel under sha256); like the sum it
 * feeds, it is not meant to resist collisions crafted on purpose.
 *
 * Both seeds are computed in one pass: the per-block key mixing does not
 * depend on the seed, only the four running words do.
 */
export const LINE_HASH_SEEDS = [0, 0x7fffffff] as const;
export const LINE_HASH_WORDS = 8;

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Writes four words from one seed's running state (the reference's finalisation). */
function finish(h1: number, h2: number, h3: number, h4: number, length: number, out: Uint32Array, at: number): void {
  h1 ^= length;
  h2 ^= length;
  h3 ^= length;
  h4 ^= length;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  out[at] = h1;
  out[at + 1] = h2 + h1;
  out[at + 2] = h3 + h1;
  out[at + 3] = h4 + h1;
}

/**
 * Hashes `bytes[start, end)` (read through `view`, a DataView over the same
 * memory as `bytes`) into `out[0..7]`.
 */
export function hashLine(bytes: Uint8Array, view: DataView, start: number, end: number, out: Uint32Array): void {
  const length = end - start;
  let a1 = LINE_HASH_SEEDS[0] | 0;
  let a2 = a1;
  let a3 = a1;
  let a4 = a1;
  let b1 = LINE_HASH_SEEDS[1] | 0;
  let b2 = b1;
  let b3 = b1;
  let b4 = b1;
  const blocksEnd = start + (length & ~15);
  let i = start;
  for (; i < blocksEnd; i += 16) {
    const k1 = Math.imul(rotl(Math.imul(view.getInt32(i, true), C1), 15), C2);
    const k2 = Math.imul(rotl(Math.imul(view.getInt32(i + 4, true), C2), 16), C3);
    const k3 = Math.imul(rotl(Math.imul(view.getInt32(i + 8, true), C3), 17), C4);
    const k4 = Math.imul(rotl(Math.imul(view.getInt32(i + 12, true), C4), 18), C1);
    a1 = (Math.imul((rotl(a1 ^ k1, 19) + a2) | 0, 5) + 0x561ccd1b) | 0;
    a2 = (Math.imul((rotl(a2 ^ k2, 17) + a3) | 0, 5) + 0x0bcaa747) | 0;
    a3 = (Math.imul((rotl(a3 ^ k3, 15) + a4) | 0, 5) + 0x96cd1c35) | 0;
    a4 = (Math.imul((rotl(a4 ^ k4, 13) + a1) | 0, 5) + 0x32ac3b17) | 0;
    b1 = (Math.imul((rotl(b1 ^ k1, 19) + b2) | 0, 5) + 0x561ccd1b) | 0;
    b2 = (Math.imul((rotl(b2 ^ k2, 17) + b3) | 0, 5) + 0x0bcaa747) | 0;
    b3 = (Math.imul((rotl(b3 ^ k3, 15) + b4) | 0, 5) + 0x96cd1c35) | 0;
    b4 = (Math.imul((rotl(b4 ^ k4, 13) + b1) | 0, 5) + 0x32ac3b17) | 0;
  }
  // The last 0–15 bytes, little-endian, into the four keys (zero where absent).
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  let t4 = 0;
  for (let j = end - 1; j >= i; j--) {
    const offset = j - i;
    const byte = bytes[j]! << ((offset & 3) * 8);
    if (offset < 4) t1 |= byte;
    else if (offset < 8) t2 |= byte;
    else if (offset < 12) t3 |= byte;
    else t4 |= byte;
  }
  const tail = length & 15;
  if (tail > 12) {
    const k4 = Math.imul(rotl(Math.imul(t4, C4), 18), C1);
    a4 ^= k4;
    b4 ^= k4;
  }
  if (tail > 8) {
    const k3 = Math.imul(rotl(Math.imul(t3, C3), 17), C4);
    a3 ^= k3;
    b3 ^= k3;
  }
  if (tail > 4) {
    const k2 = Math.imul(rotl(Math.imul(t2, C2), 16), C3);
    a2 ^= k2;
    b2 ^= k2;
  }
  if (tail > 0) {
    const k1 = Math.imul(rotl(Math.imul(t1, C1), 15), C2);
    a1 ^= k1;
    b1 ^= k1;
  }
  finish(a1, a2, a3, a4, length, out, 0);
  finish(b1, b2, b3, b4, length, out, 4);
}

/**
 * The same hash fed in pieces, for a line that arrives across many chunks (a
 * blob's line can be hundreds of megabytes): 16-byte blocks are mixed as they
 * come and at most 15 bytes wait, so nothing of the line is held. Equal to
 * `hashLine` over the joined bytes.
 */
export class LineHasher {
  private a = new Int32Array(4);
  private b = new Int32Array(4);
  private length = 0;
  private readonly carry = new Uint8Array(16);
  private readonly carryView = new DataView(this.carry.buffer);
  private carried = 0;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.a.fill(LINE_HASH_SEEDS[0] | 0);
    this.b.fill(LINE_HASH_SEEDS[1] | 0);
    this.length = 0;
    this.carried = 0;
  }

  /** Adds `bytes[start, end)` (read through `view`, a DataView over the same memory). */
  update(bytes: Uint8Array, view: DataView, start: number, end: number): void {
    this.length += end - start;
    let i = start;
    if (this.carried > 0) {
      while (this.carried < 16 && i < end) this.carry[this.carried++] = bytes[i++]!;
      if (this.carried < 16) return;
      this.mix(this.carryView, 0);
      this.carried = 0;
    }
    const blocksEnd = i + ((end - i) & ~15);
    for (; i < blocksEnd; i += 16) this.mix(view, i);
    while (i < end) this.carry[this.carried++] = bytes[i++]!;
  }

  /** Writes the line's hash into `out[0..7]`, as hashLine would, and starts over. */
  finish(out: Uint32Array): void {
    const tail = new Uint8Array(this.carried);
    tail.set(this.carry.subarray(0, this.carried));
    // hashLine's tail and finalisation over the waiting bytes, from this state.
    const state = { a: this.a, b: this.b };
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    let t4 = 0;
    for (let j = tail.length - 1; j >= 0; j--) {
      const byte = tail[j]! << ((j & 3) * 8);
      if (j < 4) t1 |= byte;
      else if (j < 8) t2 |= byte;
      else if (j < 12) t3 |= byte;
      else t4 |= byte;
    }
    const rest = tail.length;
    const xor = (index: number, k: number) => {
      state.a[index]! ^= k;
      state.b[index]! ^= k;
    };
    if (rest > 12) xor(3, Math.imul(rotl(Math.imul(t4, C4), 18), C1));
    if (rest > 8) xor(2, Math.imul(rotl(Math.imul(t3, C3), 17), C4));
    if (rest > 4) xor(1, Math.imul(rotl(Math.imul(t2, C2), 16), C3));
    if (rest > 0) xor(0, Math.imul(rotl(Math.imul(t1, C1), 15), C2));
    const [a1, a2, a3, a4] = this.a;
    const [b1, b2, b3, b4] = this.b;
    finish(a1!, a2!, a3!, a4!, this.length, out, 0);
    finish(b1!, b2!, b3!, b4!, this.length, out, 4);
    this.reset();
  }

  private mix(view: DataView, i: number): void {
    const k1 = Math.imul(rotl(Math.imul(view.getInt32(i, true), C1), 15), C2);
    const k2 = Math.imul(rotl(Math.imul(view.getInt32(i + 4, true), C2), 16), C3);
    const k3 = Math.imul(rotl(Math.imul(view.getInt32(i + 8, true), C3), 17), C4);
    const k4 = Math.imul(rotl(Math.imul(view.getInt32(i + 12, true), C4), 18), C1);
    mixBlock(this.a, k1, k2, k3, k4);
    mixBlock(this.b, k1, k2, k3, k4);
  }
}

function mixBlock(h: Int32Array, k1: number, k2: number, k3: number, k4: number): void {
  h[0] = (Math.imul((rotl(h[0]! ^ k1, 19) + h[1]!) | 0, 5) + 0x561ccd1b) | 0;
  h[1] = (Math.imul((rotl(h[1]! ^ k2, 17) + h[2]!) | 0, 5) + 0x0bcaa747) | 0;
  h[2] = (Math.imul((rotl(h[2]! ^ k3, 15) + h[3]!) | 0, 5) + 0x96cd1c35) | 0;
  h[3] = (Math.imul((rotl(h[3]! ^ k4, 13) + h[0]!) | 0, 5) + 0x32ac3b17) | 0;
}
