import type { PairDelta } from '../../collector/collector.protocol';

interface Counter {
  packets: number;
  bytes: number;
  firstSeen: number;
  lastSeen: number;
}

/**
 * One 64-byte record (a cache line) per slot: words 0..3 the key (vni, dstPort, source, destination),
 * word 4 the generation stamp, doubles 4..7 packets, bytes, firstSeen, lastSeen.
 */
const SLOT_BYTES = 64;
const SLOT_U32 = SLOT_BYTES / 4;
const SLOT_F64 = SLOT_BYTES / 8;
const W_STAMP = 4;
const INITIAL_SLOTS = 1024;
const F_PACKETS = 4;
/** Pairs kept between flushes by default (an overlay has far fewer VTEP pairs × VNIs). */
export const DEFAULT_PAIR_CAPACITY = 65536;

/**
 * Accumulates packets per (VNI, outer source, outer destination, destination port) between flushes.
 *
 * IPv4 pairs (the common case) live in a flat open-addressing table over typed arrays: a 32-bit hash,
 * linear probing, a full compare of four words, and a generation stamp per slot so a flush clears the
 * table in O(1); a slot's key, stamp and counters share one cache line. The table starts small and
 * doubles (rehashing, at load 1/2) up to what `capacity` needs, so a few thousand pairs stay within a
 * few hundred kilobytes of cache; apart from those rare doublings nothing on that path allocates. The table is bounded: pairs beyond `capacity` in one
 * flush window are not counted (`evictions`). IPv6 VTEPs take a rare path keyed by their formatted
 * addresses (allocated per packet), bounded the same way.
 */
export class PairAggregator {
  private readonly formatKey: (key: number | string) => string;
  private mask: number;
  private readonly maxSlots: number;
  /** Slot records as words and as doubles; a slot is in use iff its stamp equals `generation`. */
  private keys: Uint32Array;
  private counters: Float64Array;
  private generation = 1;
  /** Used slots in insertion order (the flush order). */
  private readonly order: Int32Array;
  private count = 0;
  private readonly v6 = new Map<string, Counter & { vni: number; dstPort: number; src: string; dst: string }>();
  private _evictions = 0;

  constructor(
    formatIpv4: (addr: number) => string,
    private readonly capacity = DEFAULT_PAIR_CAPACITY,
  ) {
    this.formatKey = (key) => (typeof key === 'number' ? formatIpv4(key) : key);
    let slots = 16;
    while (slots < capacity * 2) {
      slots <<= 1;
    }
    this.maxSlots = slots;
    slots = Math.min(slots, INITIAL_SLOTS);
    this.mask = slots - 1;
    const records = new ArrayBuffer(slots * SLOT_BYTES);
    this.keys = new Uint32Array(records);
    this.counters = new Float64Array(records);
    this.order = new Int32Array(capacity);
  }

  /** Pairs not counted because the table was full (since construction). */
  get evictions(): number {
    return this._evictions;
  }

  add(vni: number, dstPort: number, src: number | string, dst: number | string, bytes: number, tsMs: number): void {
    if (typeof src === 'number' && typeof dst === 'number') {
      this.add4(vni, dstPort, src, dst, bytes, tsMs);
    } else {
      this.addOther(vni, dstPort, String(src), String(dst), bytes, tsMs);
    }
  }

  /**
   * The allocation-free path: IPv4 VTEPs as 32-bit numbers, unsigned or signed (the same address: a
   * caller passes int32 so that addresses from 128.0.0.0 up need no heap number).
   */
  add4(vni: number, dstPort: number, src: number, dst: number, bytes: number, tsMs: number): void {
    const h = pairHash(vni, dstPort, src, dst);
    const keys = this.keys;
    const counters = this.counters;
    const gen = this.generation;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const o = slot * SLOT_U32;
      if (keys[o + W_STAMP] !== gen) {
        break;
      }
      if ((keys[o + 2] | 0) === (src | 0) && (keys[o + 3] | 0) === (dst | 0) && keys[o] === vni && keys[o + 1] === dstPort) {
        const c = slot * SLOT_F64 + F_PACKETS;
        counters[c] += 1;
        counters[c + 1] += bytes;
        if (tsMs > counters[c + 3]) {
          counters[c + 3] = tsMs;
        }
        return;
      }
      slot = (slot + 1) & mask;
    }
    if (this.count >= this.capacity) {
      this._evictions++;
      return;
    }
    if ((this.count + 1) * 2 > mask + 1 && mask + 1 < this.maxSlots) {
      this.grow();
      this.add4(vni, dstPort, src, dst, bytes, tsMs);
      return;
    }
    const o = slot * SLOT_U32;
    keys[o + W_STAMP] = gen;
    keys[o] = vni;
    keys[o + 1] = dstPort;
    keys[o + 2] = src;
    keys[o + 3] = dst;
    const c = slot * SLOT_F64 + F_PACKETS;
    counters[c] = 1;
    counters[c + 1] = bytes;
    counters[c + 2] = tsMs;
    counters[c + 3] = tsMs;
    this.order[this.count++] = slot;
  }

  /** Doubles the table, rehashing the pairs of this window (their insertion order is kept). */
  private grow(): void {
    const oldKeys = this.keys;
    const slots = (this.mask + 1) * 2;
    const records = new ArrayBuffer(slots * SLOT_BYTES);
    const keys = new Uint32Array(records);
    const mask = slots - 1;
    const gen = this.generation;
    for (let i = 0; i < this.count; i++) {
      const from = this.order[i] * SLOT_U32;
      let slot = pairHash(oldKeys[from], oldKeys[from + 1], oldKeys[from + 2], oldKeys[from + 3]) & mask;
      while (keys[slot * SLOT_U32 + W_STAMP] === gen) {
        slot = (slot + 1) & mask;
      }
      // Word by word: a subarray() per record would allocate a view (slow, and this runs per pair).
      const to = slot * SLOT_U32;
      for (let w = 0; w < SLOT_U32; w++) {
        keys[to + w] = oldKeys[from + w];
      }
      this.order[i] = slot;
    }
    this.keys = keys;
    this.counters = new Float64Array(records);
    this.mask = mask;
  }

  private addOther(vni: number, dstPort: number, src: string, dst: string, bytes: number, tsMs: number): void {
    const key = `${vni}|${dstPort}|${src}|${dst}`;
    const c = this.v6.get(key);
    if (c === undefined) {
      if (this.v6.size >= this.capacity) {
        this._evictions++;
        return;
      }
      this.v6.set(key, { vni, dstPort, src, dst, packets: 1, bytes, firstSeen: tsMs, lastSeen: tsMs });
      return;
    }
    c.packets += 1;
    c.bytes += bytes;
    if (tsMs > c.lastSeen) {
      c.lastSeen = tsMs;
    }
  }

  /** Returns everything counted since the last flush (first seen first) and starts afresh. */
  flush(): PairDelta[] {
    const out: PairDelta[] = [];
    const names = new Map<number, string>();
    const name = (addr: number): string => {
      let s = names.get(addr);
      if (s === undefined) {
        s = this.formatKey(addr);
        names.set(addr, s);
      }
      return s;
    };
    // Grouped as before: by (VNI, port) first seen, then by source first seen, then destination.
    const outerRank = new Map<number, number>();
    const srcRank = new Map<number, number>();
    const rank = new Float64Array(this.count * 2);
    const idx: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const o = this.order[i] * SLOT_U32;
      const outer = this.keys[o] * 65536 + this.keys[o + 1];
      let r = outerRank.get(outer);
      if (r === undefined) {
        r = i;
        outerRank.set(outer, r);
      }
      // (outer rank, source) as one number below 2^48: no key string per pair.
      const srcKey = r * 0x100000000 + this.keys[o + 2];
      let q = srcRank.get(srcKey);
      if (q === undefined) {
        q = i;
        srcRank.set(srcKey, q);
      }
      rank[i * 2] = r;
      rank[i * 2 + 1] = q;
      idx.push(i);
    }
    idx.sort((a, b) => rank[a * 2] - rank[b * 2] || rank[a * 2 + 1] - rank[b * 2 + 1] || a - b);
    for (const i of idx) {
      const slot = this.order[i];
      const o = slot * SLOT_U32;
      const c = slot * SLOT_F64 + F_PACKETS;
      out.push({
        vni: this.keys[o],
        src: name(this.keys[o + 2]),
        dst: name(this.keys[o + 3]),
        dstPort: this.keys[o + 1],
        packets: this.counters[c],
        bytes: this.counters[c + 1],
        firstSeen: this.counters[c + 2],
        lastSeen: this.counters[c + 3],
      });
    }
    for (const { vni, dstPort, src, dst, packets, bytes, firstSeen, lastSeen } of this.v6.values()) {
      out.push({ vni, src, dst, dstPort, packets, bytes, firstSeen, lastSeen });
    }
    this.count = 0;
    this.v6.clear();
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      for (let o = W_STAMP; o < this.keys.length; o += SLOT_U32) {
        this.keys[o] = 0;
      }
      this.generation = 1;
    }
    return out;
  }
}

function pairHash(vni: number, dstPort: number, src: number, dst: number): number {
  let h = Math.imul(vni ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ dstPort ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ src ^ (h >>> 13), 0x85ebca6b);
  h = Math.imul(h ^ dst ^ (h >>> 16), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
