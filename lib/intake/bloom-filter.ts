/**
 * A set that may answer "maybe" for a value it never took, and never answers "no" for one it did. An import uses one
 * to remember which leads it gave a campaign history, in fixed memory however long the list: 2 MiB keep a million
 * lead ids at about 1 false "maybe" in 2,000, and a "maybe" only costs a read of the history.
 */
// Looked up once: inside a test sandbox (jest's vm context) every `Math.imul` lookup is a slow global access.
const imul = Math.imul;

export class BloomFilter {
  private readonly bits: Uint32Array;
  private readonly size: number;

  constructor(
    bytes = 2 * 1024 * 1024,
    private readonly hashes = 7,
  ) {
    this.bits = new Uint32Array(Math.ceil(bytes / 4));
    this.size = this.bits.length * 32;
  }

  add(value: string): void {
    this.positions(value, (bit) => (this.bits[bit >>> 5]! |= 1 << (bit & 31)));
  }

  mightContain(value: string): boolean {
    let all = true;
    this.positions(value, (bit) => (all &&= (this.bits[bit >>> 5]! & (1 << (bit & 31))) !== 0));
    return all;
  }

  /** Double hashing (Kirsch and Mitzenmacher): two independent 32-bit hashes give every position. */
  private positions(value: string, visit: (bit: number) => void): void {
    let h1 = 0x811c9dc5; // FNV-1a
    let h2 = 0x9747b28c; // a second FNV-1a stream with another basis, finished with murmur's mixer
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      h1 = imul(h1 ^ c, 0x01000193);
      h2 = imul(h2 ^ c, 0x01000193);
    }
    h2 ^= h2 >>> 16;
    h2 = imul(h2, 0x85ebca6b);
    h2 ^= h2 >>> 13;
    h2 = imul(h2, 0xc2b2ae35);
    h2 ^= h2 >>> 16;
    h2 |= 1; // odd, so the steps never cycle early
    for (let i = 0; i < this.hashes; i++) visit((((h1 + imul(i, h2)) >>> 0) % this.size) >>> 0);
  }
}
