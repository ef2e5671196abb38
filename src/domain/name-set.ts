/**
 * The DealNames an import has seen, with where each was first seen, in bounded memory: 12 bytes a
 * slot (two 32-bit hashes and a number) instead of a Map entry with the string (~70 bytes a deal),
 * so a file of millions of deals is checked for repeats in a few tens of MB.
 *
 * Names are compared by a 64-bit hash (two independent 32-bit FNV-1a hashes): two different names
 * collide with a chance of about n²/2⁶⁵ — below one in ten million for a file of ten million deals.
 */
const EMPTY = 0;
const START_SLOTS = 1 << 14;

function fnv1a(s: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class NameSet {
  /** Slot i holds [hashA, hashB, where] at 3i; `where` 0 marks an empty slot. */
  private slots = new Uint32Array(START_SLOTS * 3);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Records `name` as first seen at `where` (≥ 1) and returns undefined, or returns where it was seen before. */
  firstSeen(name: string, where: number): number | undefined {
    if (!(where >= 1 && where <= 0xffffffff)) throw new RangeError(`where must be 1..2^32-1, got ${where}`);
    const a = fnv1a(name, 0x811c9dc5);
    const b = (fnv1a(name, 0x050c5d1f) | 1) >>> 0; // never 0, so (a, b) of a real name is never mistaken for an empty slot's
    const found = this.find(a, b);
    if (this.slots[found * 3 + 2] !== EMPTY) return this.slots[found * 3 + 2];
    this.slots[found * 3] = a;
    this.slots[found * 3 + 1] = b;
    this.slots[found * 3 + 2] = where;
    if (++this.count * 4 > (this.slots.length / 3) * 3) this.grow(); // keep the load under 3/4
    return undefined;
  }

  /** The slot holding (a, b), or the empty slot where it would go (linear probing). */
  private find(a: number, b: number): number {
    const mask = this.slots.length / 3 - 1;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const s = this.slots;
      if (s[i * 3 + 2] === EMPTY || (s[i * 3] === a && s[i * 3 + 1] === b)) return i;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 3) {
      if (old[i + 2] === EMPTY) continue;
      const at = this.find(old[i]!, old[i + 1]!);
      this.slots[at * 3] = old[i]!;
      this.slots[at * 3 + 1] = old[i + 1]!;
      this.slots[at * 3 + 2] = old[i + 2]!;
    }
  }
}
