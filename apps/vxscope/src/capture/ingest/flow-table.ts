import { formatIpv4, formatIpv6 } from '@vx/wire';

/**
 * Inner flows (VNI + 5-tuple) with their packet and byte counts, in fixed memory.
 *
 * A 4-way set-associative table over typed arrays: a flow hashes to one set of four slots; a new
 * flow that finds its set full replaces the slot with the fewest bytes (counted as an eviction).
 * Heavy flows therefore stay while the long tail churns through, which is what a top-K by bytes
 * needs, and nothing on the per-packet path allocates.
 *
 * Each slot keeps a 16-bit hash tag (0: empty) compared before the key, so a miss (most packets
 * when flows churn) costs four integer compares. Memory is laid out for the cache: the probe reads
 * only the tags (8 bytes a set) and, for the victim, the byte counts (32 bytes a set), 640 KB for
 * 65 k slots instead of 1 MB of interleaved doubles, which keeps more of them in L2 next to the other
 * tables (about 7 % off a whole offline read); an IPv4 slot's key and counters share one 64-byte line
 * (an IPv6 key keeps its last two words aside). A tag matching by chance only costs a key compare.
 */
const WAYS = 4;
/** Largest `k` FlowTable.top() selects while scanning; a larger one sorts every used slot. */
const TOP_SELECT_MAX = 1024;
/**
 * Key words per slot: vni, protocol << 16 | ipVersion, ports, source word 0, destination word 0,
 * then the other three words of each IPv6 address. IPv4 keys use (and compare) the first five.
 */
const KEY_WORDS = 11;
const V4_WORDS = 5;
/**
 * Slot record, 64 bytes: words 0..4 key words 0..4, word 5 unused, doubles 3..5 packets, firstSeen,
 * lastSeen, words 12..15 key words 5..8. Key words 9 and 10 (IPv6 only) are kept in `extra`.
 */
const SLOT_BYTES = 64;
const SLOT_U32 = SLOT_BYTES / 4;
const SLOT_F64 = SLOT_BYTES / 8;
const F_PACKETS = 3;
const F_FIRST = 4;
const F_LAST = 5;
/** Record word of key word 5. */
const W_KEY5 = 12;

/** The inner 5-tuple fields FlowTable reads (InnerFlowInfo from @vx/wire has them all). */
export interface FlowKeyInput {
  ipVersion: number;
  protocol: number;
  srcPort: number;
  dstPort: number;
  /** IPv4 addresses as numbers, or (IPv6) read from `buf` at the offsets. */
  src4: number;
  dst4: number;
  srcOffset: number;
  dstOffset: number;
}

export interface FlowRow {
  readonly vni: number;
  readonly ipVersion: number;
  readonly protocol: number;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly packets: number;
  readonly bytes: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export class FlowTable {
  private readonly sets: number;
  /** Slot records (key words and hot counters), as words and as doubles. */
  private readonly keys: Uint32Array;
  private readonly recs: Float64Array;
  /** Per slot: hash tag (never 0 when used; 0 marks an empty slot). */
  private readonly tags: Uint16Array;
  /** Per slot: bytes (the victim choice). */
  private readonly bytes: Float64Array;
  /** Key words 9 and 10 of each slot (IPv6). */
  private readonly extra: Uint32Array;
  private readonly scratch = new Uint32Array(KEY_WORDS);
  private _evictions = 0;
  private _size = 0;

  /** @param capacity slots, rounded up to a multiple of 4 sets × 4 ways (a power of two). */
  constructor(capacity: number) {
    let sets = 1;
    while (sets * WAYS < capacity) {
      sets <<= 1;
    }
    this.sets = sets;
    const slots = sets * WAYS;
    const records = new ArrayBuffer(slots * SLOT_BYTES);
    this.keys = new Uint32Array(records);
    this.recs = new Float64Array(records);
    this.tags = new Uint16Array(slots);
    this.bytes = new Float64Array(slots);
    this.extra = new Uint32Array(slots * 2);
  }

  get evictions(): number {
    return this._evictions;
  }

  get size(): number {
    return this._size;
  }

  get capacity(): number {
    return this.sets * WAYS;
  }

  add(buf: Uint8Array, vni: number, f: FlowKeyInput, wirelen: number, tsMs: number): void {
    const k = this.scratch;
    const w1 = (f.protocol << 16) | f.ipVersion;
    const w2 = (f.srcPort << 16) | f.dstPort;
    let words = V4_WORDS;
    let h = Math.imul(vni ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ w1 ^ (h >>> 15), 0xc2b2ae35);
    h = Math.imul(h ^ w2 ^ (h >>> 13), 0x85ebca6b);
    if (f.ipVersion === 6) {
      words = KEY_WORDS;
      const s = f.srcOffset;
      const d = f.dstOffset;
      k[3] = (buf[s] << 24) | (buf[s + 1] << 16) | (buf[s + 2] << 8) | buf[s + 3];
      k[4] = (buf[d] << 24) | (buf[d + 1] << 16) | (buf[d + 2] << 8) | buf[d + 3];
      for (let i = 1; i < 4; i++) {
        const si = s + i * 4;
        const di = d + i * 4;
        k[4 + i] = (buf[si] << 24) | (buf[si + 1] << 16) | (buf[si + 2] << 8) | buf[si + 3];
        k[7 + i] = (buf[di] << 24) | (buf[di + 1] << 16) | (buf[di + 2] << 8) | buf[di + 3];
      }
      for (let i = 3; i < KEY_WORDS; i++) {
        h = Math.imul(h ^ k[i] ^ (h >>> 16), 0xc2b2ae35);
      }
    } else {
      k[3] = f.src4;
      k[4] = f.dst4;
      h = Math.imul(h ^ k[3] ^ (h >>> 16), 0xc2b2ae35);
      h = Math.imul(h ^ k[4] ^ (h >>> 15), 0x85ebca6b);
    }
    k[0] = vni;
    k[1] = w1;
    k[2] = w2;
    h ^= h >>> 16;
    // Bits the set index does not use (bits 8 and up), up to 65 536 sets; more sets only match by chance more often.
    const tag = (h & 0xff) | ((h >>> 16) & 0xff00) | 1;
    const base = ((h >>> 8) & (this.sets - 1)) * WAYS;
    const tags = this.tags;
    const bytes = this.bytes;
    const recs = this.recs;
    let victim = -1;
    let free = -1;
    for (let slot = base; slot < base + WAYS; slot++) {
      const t = tags[slot];
      if (t === 0) {
        if (free < 0) {
          free = slot;
        }
        continue;
      }
      if (t === tag && this.matches(slot, words)) {
        bytes[slot] += wirelen;
        const r = slot * SLOT_F64;
        recs[r + F_PACKETS] += 1;
        recs[r + F_LAST] = tsMs;
        return;
      }
      if (victim < 0 || bytes[slot] < bytes[victim]) {
        victim = slot;
      }
    }
    let slot: number;
    if (free >= 0) {
      slot = free;
      this._size++;
    } else {
      slot = victim;
      this._evictions++;
    }
    const o = slot * SLOT_U32;
    const keys = this.keys;
    keys[o] = k[0];
    keys[o + 1] = k[1];
    keys[o + 2] = k[2];
    keys[o + 3] = k[3];
    keys[o + 4] = k[4];
    if (words === KEY_WORDS) {
      keys[o + W_KEY5] = k[5];
      keys[o + W_KEY5 + 1] = k[6];
      keys[o + W_KEY5 + 2] = k[7];
      keys[o + W_KEY5 + 3] = k[8];
      this.extra[slot * 2] = k[9];
      this.extra[slot * 2 + 1] = k[10];
    }
    tags[slot] = tag;
    bytes[slot] = wirelen;
    const r = slot * SLOT_F64;
    recs[r + F_PACKETS] = 1;
    recs[r + F_FIRST] = tsMs;
    recs[r + F_LAST] = tsMs;
  }

  private matches(slot: number, words: number): boolean {
    const o = slot * SLOT_U32;
    const k = this.scratch;
    const keys = this.keys;
    if (keys[o + 3] !== k[3] || keys[o + 4] !== k[4] || keys[o + 2] !== k[2] || keys[o + 1] !== k[1] || keys[o] !== k[0]) {
      return false;
    }
    return (
      words === V4_WORDS ||
      (keys[o + W_KEY5] === k[5] &&
        keys[o + W_KEY5 + 1] === k[6] &&
        keys[o + W_KEY5 + 2] === k[7] &&
        keys[o + W_KEY5 + 3] === k[8] &&
        this.extra[slot * 2] === k[9] &&
        this.extra[slot * 2 + 1] === k[10])
    );
  }

  /** The `k` flows with the most bytes, largest first (equal bytes: lower slot first). */
  top(k: number): FlowRow[] {
    const tags = this.tags;
    const bytes = this.bytes;
    if (!Number.isInteger(k) || k < 0 || k > TOP_SELECT_MAX) {
      const slots: number[] = [];
      for (let s = 0; s < tags.length; s++) {
        if (tags[s] !== 0) {
          slots.push(s);
        }
      }
      slots.sort((a, b) => bytes[b] - bytes[a]);
      return slots.slice(0, k).map((s) => this.row(s));
    }
    // The usual small k: keep the best k in order while scanning, instead of sorting every used slot
    // (65 k of them, on every collector state push). Slots are scanned in ascending order and a slot
    // only displaces strictly fewer bytes, so ties come out as the stable sort above orders them.
    const best: number[] = [];
    if (k === 0) {
      return [];
    }
    for (let s = 0; s < tags.length; s++) {
      if (tags[s] === 0 || (best.length === k && bytes[s] <= bytes[best[k - 1]])) {
        continue;
      }
      let i = best.length < k ? best.length : k - 1;
      while (i > 0 && bytes[best[i - 1]] < bytes[s]) {
        best[i] = best[i - 1];
        i--;
      }
      best[i] = s;
    }
    return best.map((s) => this.row(s));
  }

  private row(slot: number): FlowRow {
    const o = slot * SLOT_U32;
    const kw = this.keys;
    const ipVersion = kw[o + 1] & 0xffff;
    const r = slot * SLOT_F64;
    return {
      vni: kw[o],
      ipVersion,
      protocol: kw[o + 1] >>> 16,
      src: ipVersion === 6 ? formatV6Words(kw[o + 3], kw[o + W_KEY5], kw[o + W_KEY5 + 1], kw[o + W_KEY5 + 2]) : formatIpv4(kw[o + 3]),
      dst: ipVersion === 6 ? formatV6Words(kw[o + 4], kw[o + W_KEY5 + 3], this.extra[slot * 2], this.extra[slot * 2 + 1]) : formatIpv4(kw[o + 4]),
      srcPort: kw[o + 2] >>> 16,
      dstPort: kw[o + 2] & 0xffff,
      packets: this.recs[r + F_PACKETS],
      bytes: this.bytes[slot],
      firstSeen: this.recs[r + F_FIRST],
      lastSeen: this.recs[r + F_LAST],
    };
  }
}

/** An IPv6 address kept as four big-endian words, formatted by the wire library (RFC 5952). */
function formatV6Words(...words: number[]): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = words[i];
    bytes[i * 4] = w >>> 24;
    bytes[i * 4 + 1] = (w >>> 16) & 255;
    bytes[i * 4 + 2] = (w >>> 8) & 255;
    bytes[i * 4 + 3] = w & 255;
  }
  return formatIpv6(bytes, 0);
}
