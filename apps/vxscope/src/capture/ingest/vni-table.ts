/** Keys are stored biased, so that 0 marks an empty slot (a VNI is 24 bits; -1 means none). */
const KEY_BIAS = 0x40000000;

/**
 * VNI (24 bits) → value, for at most `max` VNIs, in insertion order: an open-addressing table over an
 * Int32Array (load ≤ 1/2), so a lookup is a multiply, a shift and one or two loads. `clear()` costs
 * O(table size), once per drain.
 */
export class VniTable<T> {
  private readonly keys: Int32Array;
  private readonly slots: Int32Array;
  private readonly shift: number;
  private readonly vnis: number[] = [];
  private readonly values: T[] = [];

  constructor(readonly max: number) {
    let bits = 4;
    while (1 << bits < max * 2) {
      bits++;
    }
    this.keys = new Int32Array(1 << bits);
    this.slots = new Int32Array(1 << bits);
    this.shift = 32 - bits;
  }

  get size(): number {
    return this.values.length;
  }

  get(vni: number): T | undefined {
    const keys = this.keys;
    const mask = keys.length - 1;
    const key = vni + KEY_BIAS;
    for (let i = Math.imul(key, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === key) {
        return this.values[this.slots[i]];
      }
      if (k === 0) {
        return undefined;
      }
    }
  }

  /** Adds a VNI not in the table; false (nothing added) when `max` VNIs are already there. */
  add(vni: number, value: T): boolean {
    if (this.values.length >= this.max) {
      return false;
    }
    const keys = this.keys;
    const mask = keys.length - 1;
    const key = vni + KEY_BIAS;
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    while (keys[i] !== 0) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    this.slots[i] = this.values.length;
    this.vnis.push(vni);
    this.values.push(value);
    return true;
  }

  /** [vni, value] in insertion order. */
  *entries(): IterableIterator<[number, T]> {
    for (let i = 0; i < this.values.length; i++) {
      yield [this.vnis[i], this.values[i]];
    }
  }

  clear(): void {
    this.keys.fill(0);
    this.vnis.length = 0;
    this.values.length = 0;
  }
}
