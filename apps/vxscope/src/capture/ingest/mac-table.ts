/** Where an inner source MAC was last seen: which VTEP (outer source address) it sat behind. */
export interface MacSighting {
  readonly vni: number;
  readonly mac: string;
  readonly vtep: string;
  readonly packets: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** The VTEP it was seen behind before, when it moved. */
  readonly previousVtep?: string;
  readonly moves: number;
}

const WAYS = 8;
/**
 * Doubles per slot (one 64-byte cache line): MAC (48-bit number), vni, vtep, packets, lastSeen,
 * firstSeen, previous vtep, moves.
 */
const V_WORDS = 8;
const V_MAC = 0;
const V_VNI = 1;
const V_VTEP = 2;
const V_PACKETS = 3;
const V_LAST = 4;
const V_FIRST = 5;
const V_PREV = 6;
const V_MOVES = 7;
/** A vtep word: an IPv4 address (0..2^32-1), NO_VTEP, or V6_VTEP (the string is kept aside). */
const NO_VTEP = -1;
const V6_VTEP = -2;
const FLAG_USED = 1;
const FLAG_DIRTY = 2;
const INITIAL_SETS = 128;

/**
 * Inner MAC → VTEP, bounded, over typed arrays: an 8-way set-associative table keyed by (VNI, MAC).
 * A new MAC whose set is full replaces the oldest-inserted MAC of that set (counted as an eviction).
 * IPv4 VTEPs are kept as numbers, so a packet costs a hash, a tag compare and a few stores into one
 * cache line, and never allocates; IPv6 VTEPs (rare) are kept as strings beside the table. The table
 * starts small and doubles (at load 1/2, or when a new MAC finds its set full) up to what `capacity`
 * needs, so the few thousand MACs of a typical overlay stay dense in cache; evictions start only at
 * full size.
 */
export class MacTable {
  private sets: number;
  private readonly maxSets: number;
  private tags: Int32Array;
  private values: Float64Array;
  /** Insertion number per slot (the eviction order). */
  private insertedAt: Float64Array;
  private flags: Uint8Array;
  /** IPv6 VTEPs of the slots whose vtep / previous vtep word is V6_VTEP. */
  private v6 = new Map<number, string>();
  private v6Previous = new Map<number, string>();
  private size = 0;
  private inserted = 0;
  private _evictions = 0;

  constructor(
    capacity: number,
    private readonly formatVtep: (key: number | string) => string,
  ) {
    let sets = 1;
    while (sets * WAYS < capacity) {
      sets <<= 1;
    }
    this.maxSets = sets;
    this.sets = Math.min(sets, INITIAL_SETS);
    const slots = this.sets * WAYS;
    this.tags = new Int32Array(slots);
    this.values = new Float64Array(slots * V_WORDS);
    this.insertedAt = new Float64Array(slots);
    this.flags = new Uint8Array(slots);
  }

  /** Doubles the sets: each MAC moves to the set its hash names now (one of two), order kept. */
  private grow(): void {
    const { tags, values, insertedAt, flags, v6, v6Previous } = this;
    const sets = this.sets * 2;
    const slots = sets * WAYS;
    this.sets = sets;
    this.tags = new Int32Array(slots);
    this.values = new Float64Array(slots * V_WORDS);
    this.insertedAt = new Float64Array(slots);
    this.flags = new Uint8Array(slots);
    this.v6 = new Map();
    this.v6Previous = new Map();
    for (let from = 0; from < tags.length; from++) {
      const tag = tags[from];
      if (tag === 0) {
        continue;
      }
      let to = ((tag >>> 8) & (sets - 1)) * WAYS;
      while (this.tags[to] !== 0) {
        to++; // at most WAYS - 1: the old set held at most WAYS MACs
      }
      this.tags[to] = tag;
      for (let w = 0; w < V_WORDS; w++) {
        this.values[to * V_WORDS + w] = values[from * V_WORDS + w];
      }
      this.insertedAt[to] = insertedAt[from];
      this.flags[to] = flags[from];
      const a = v6.get(from);
      if (a !== undefined) {
        this.v6.set(to, a);
      }
      const b = v6Previous.get(from);
      if (b !== undefined) {
        this.v6Previous.set(to, b);
      }
    }
  }

  get evictions(): number {
    return this._evictions;
  }

  /**
   * One sighting of the MAC at `macOffset` in `buf`. `vtep`: an IPv4 address as a 32-bit number,
   * unsigned or signed (the same address), or an IPv6 address as a string.
   */
  see(vni: number, buf: Uint8Array, macOffset: number, vtep: number | string, tsMs: number): void {
    const hi = (buf[macOffset] << 8) | buf[macOffset + 1];
    const lo = ((buf[macOffset + 2] << 24) | (buf[macOffset + 3] << 16) | (buf[macOffset + 4] << 8) | buf[macOffset + 5]) >>> 0;
    const mac = hi * 0x100000000 + lo;
    let h = Math.imul(vni ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ hi ^ (h >>> 15), 0xc2b2ae35);
    h = Math.imul(h ^ lo ^ (h >>> 13), 0x85ebca6b);
    h ^= h >>> 16;
    const tag = h | 1;
    const base = ((h >>> 8) & (this.sets - 1)) * WAYS;
    const tags = this.tags;
    const values = this.values;
    const isV4 = typeof vtep === 'number';
    // The table keeps (and compares) the unsigned form.
    const vtep4 = isV4 ? vtep >>> 0 : NO_VTEP;
    let free = -1;
    for (let slot = base; slot < base + WAYS; slot++) {
      const t = tags[slot];
      if (t === 0) {
        if (free < 0) {
          free = slot;
        }
        continue;
      }
      const v = slot * V_WORDS;
      if (t === tag && values[v + V_MAC] === mac && values[v + V_VNI] === vni) {
        values[v + V_PACKETS] += 1;
        values[v + V_LAST] = tsMs;
        const same = isV4 ? values[v + V_VTEP] === vtep4 : values[v + V_VTEP] === V6_VTEP && this.v6.get(slot) === vtep;
        if (!same) {
          this.move(slot, isV4 ? vtep4 : vtep);
        }
        return;
      }
    }
    if ((free < 0 || (this.size + 1) * 2 > tags.length) && this.sets < this.maxSets) {
      this.grow();
      this.see(vni, buf, macOffset, vtep, tsMs);
      return;
    }
    let slot: number;
    if (free >= 0) {
      slot = free;
      this.size++;
    } else {
      // New MAC, full set (rare): the oldest-inserted MAC of the set goes. Read only now, so a
      // sighting of a known MAC never touches `insertedAt`.
      slot = this.oldest(base);
      this._evictions++;
      this.v6.delete(slot);
      this.v6Previous.delete(slot);
    }
    tags[slot] = tag;
    const v = slot * V_WORDS;
    values[v + V_MAC] = mac;
    values[v + V_VNI] = vni;
    if (isV4) {
      values[v + V_VTEP] = vtep4;
    } else {
      values[v + V_VTEP] = V6_VTEP;
      this.v6.set(slot, vtep);
    }
    values[v + V_PREV] = NO_VTEP;
    values[v + V_PACKETS] = 1;
    values[v + V_FIRST] = tsMs;
    values[v + V_LAST] = tsMs;
    values[v + V_MOVES] = 0;
    this.insertedAt[slot] = this.inserted++;
    this.flags[slot] = FLAG_USED | FLAG_DIRTY;
  }

  /** The used slot of the set at `base` inserted first (the first such slot on a tie). */
  private oldest(base: number): number {
    const tags = this.tags;
    const insertedAt = this.insertedAt;
    let victim = -1;
    for (let slot = base; slot < base + WAYS; slot++) {
      if (tags[slot] !== 0 && (victim < 0 || insertedAt[slot] < insertedAt[victim])) {
        victim = slot;
      }
    }
    return victim;
  }

  /** The MAC in `slot` is now behind `vtep` (rare: keeps the previous VTEP). */
  private move(slot: number, vtep: number | string): void {
    const v = slot * V_WORDS;
    const values = this.values;
    values[v + V_PREV] = values[v + V_VTEP];
    if (values[v + V_VTEP] === V6_VTEP) {
      this.v6Previous.set(slot, this.v6.get(slot) ?? '');
    } else {
      this.v6Previous.delete(slot);
    }
    if (typeof vtep === 'number') {
      values[v + V_VTEP] = vtep;
      this.v6.delete(slot);
    } else {
      values[v + V_VTEP] = V6_VTEP;
      this.v6.set(slot, vtep);
    }
    values[v + V_MOVES] += 1;
    this.flags[slot] |= FLAG_DIRTY;
  }

  /** Every MAC (at most `limit`), most recently seen first. */
  list(limit = Infinity): MacSighting[] {
    const out: MacSighting[] = [];
    for (let slot = 0; slot < this.tags.length; slot++) {
      if (this.tags[slot] !== 0) {
        out.push(this.sighting(slot));
      }
    }
    return out.sort((a, b) => b.lastSeen - a.lastSeen).slice(0, limit);
  }

  /** MACs that are new or moved since the last call. */
  drainChanged(): MacSighting[] {
    const out: MacSighting[] = [];
    const flags = this.flags;
    for (let slot = 0; slot < flags.length; slot++) {
      if ((flags[slot] & FLAG_DIRTY) !== 0) {
        flags[slot] &= ~FLAG_DIRTY;
        out.push(this.sighting(slot));
      }
    }
    return out;
  }

  private vtepName(word: number, strings: Map<number, string>, slot: number): string | undefined {
    if (word === NO_VTEP) {
      return undefined;
    }
    return this.formatVtep(word === V6_VTEP ? (strings.get(slot) ?? '') : word);
  }

  private sighting(slot: number): MacSighting {
    const v = slot * V_WORDS;
    const values = this.values;
    const hex = values[v + V_MAC].toString(16).padStart(12, '0');
    return {
      vni: values[v + V_VNI],
      mac: hex.replace(/(..)(?!$)/g, '$1:'),
      vtep: this.vtepName(values[v + V_VTEP], this.v6, slot) ?? '',
      packets: values[v + V_PACKETS],
      firstSeen: values[v + V_FIRST],
      lastSeen: values[v + V_LAST],
      previousVtep: this.vtepName(values[v + V_PREV], this.v6Previous, slot),
      moves: values[v + V_MOVES],
    };
  }
}
