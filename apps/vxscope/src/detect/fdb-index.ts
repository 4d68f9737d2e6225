/**
 * (VNI, MAC) → value, open addressing with linear probing over typed arrays. The MAC is split in
 * its high 16 and low 32 bits (the low part as int32), so a lookup takes small integers only and
 * allocates nothing: a 48-bit MAC as a Map key would be a boxed double on every packet. Writes
 * (from netlink) may grow the table.
 */
export class FdbIndex<T> {
  private vni = new Int32Array(0);
  /** MAC bits 47..32, or -1 for an empty slot. */
  private hi = new Int32Array(0);
  private lo = new Int32Array(0);
  private values: (T | undefined)[] = [];
  private mask = -1;
  private count = 0;

  constructor(capacity = 64) {
    this.allocate(capacity);
  }

  get size(): number {
    return this.count;
  }

  get(vni: number, hi: number, lo: number): T | undefined {
    let i = hash(vni, hi, lo) & this.mask;
    for (;;) {
      const h = this.hi[i];
      if (h === -1) {
        return undefined;
      }
      if (h === hi && this.lo[i] === lo && this.vni[i] === vni) {
        return this.values[i];
      }
      i = (i + 1) & this.mask;
    }
  }

  /** `mac` as the 48-bit number. */
  set(vni: number, mac: number, value: T): void {
    if ((this.count + 1) * 2 > this.mask + 1) {
      this.grow();
    }
    const hi = Math.floor(mac / 0x100000000);
    const lo = mac % 0x100000000 | 0;
    let i = hash(vni, hi, lo) & this.mask;
    for (;;) {
      if (this.hi[i] === -1) {
        this.vni[i] = vni;
        this.hi[i] = hi;
        this.lo[i] = lo;
        this.values[i] = value;
        this.count++;
        return;
      }
      if (this.hi[i] === hi && this.lo[i] === lo && this.vni[i] === vni) {
        this.values[i] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  delete(vni: number, mac: number): void {
    const hi = Math.floor(mac / 0x100000000);
    const lo = mac % 0x100000000 | 0;
    const mask = this.mask;
    let i = hash(vni, hi, lo) & mask;
    for (;;) {
      if (this.hi[i] === -1) {
        return;
      }
      if (this.hi[i] === hi && this.lo[i] === lo && this.vni[i] === vni) {
        break;
      }
      i = (i + 1) & mask;
    }
    // Backward-shift deletion (Knuth 6.4, algorithm R): no tombstones, probe chains stay short.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (this.hi[j] === -1) {
        break;
      }
      const home = hash(this.vni[j], this.hi[j], this.lo[j]) & mask;
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        this.vni[i] = this.vni[j];
        this.hi[i] = this.hi[j];
        this.lo[i] = this.lo[j];
        this.values[i] = this.values[j];
        i = j;
      }
    }
    this.hi[i] = -1;
    this.values[i] = undefined;
    this.count--;
  }

  clear(): void {
    this.hi.fill(-1);
    this.values.fill(undefined);
    this.count = 0;
  }

  private allocate(capacity: number): void {
    let n = 16;
    while (n < capacity) {
      n *= 2;
    }
    this.vni = new Int32Array(n);
    this.hi = new Int32Array(n).fill(-1);
    this.lo = new Int32Array(n);
    this.values = new Array<T | undefined>(n).fill(undefined);
    this.mask = n - 1;
    this.count = 0;
  }

  private grow(): void {
    const { vni, hi, lo, values } = this;
    this.allocate((this.mask + 1) * 2);
    for (let i = 0; i < hi.length; i++) {
      const v = values[i];
      if (hi[i] !== -1 && v !== undefined) {
        this.set(vni[i], hi[i] * 0x100000000 + (lo[i] >>> 0), v);
      }
    }
  }
}

function hash(vni: number, hi: number, lo: number): number {
  let h = Math.imul(vni ^ 0x5bd1e995, 0x9e3779b1);
  h = Math.imul(h ^ hi, 0x85ebca6b);
  h = Math.imul(h ^ lo, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
