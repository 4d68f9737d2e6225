import { formatIpv4, formatIpv6 } from '@vx/wire';

/**
 * Inner flows (VNI + 5-tuple) with their packet and byte counts, in fixed memory.
 *
 * A 4-way set-associative table over typed arrays: a flow hashes to one set of four slots; a new
 * flow that finds its set full replaces the slot with the fewest bytes (counted as an eviction).
 * Heavy flows therefore stay while the long tail churns through, which is what a top-K by bytes
 * needs, and nothing on the per-packet path allocates.
 */
const WAYS = 4;
/** Key words per slot: vni, protocol << 16 | ipVersion, ports, then 4 + 4 address words. */
const KEY_WORDS = 11;

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
  private readonly keys: Uint32Array;
  private readonly used: Uint8Array;
  private readonly packets: Float64Array;
  private readonly bytes: Float64Array;
  private readonly firstSeen: Float64Array;
  private readonly lastSeen: Float64Array;
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
    this.keys = new Uint32Array(slots * KEY_WORDS);
    this.used = new Uint8Array(slots);
    this.packets = new Float64Array(slots);
    this.bytes = new Float64Array(slots);
    this.firstSeen = new Float64Array(slots);
    this.lastSeen = new Float64Array(slots);
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
    k[0] = vni;
    k[1] = (f.protocol << 16) | f.ipVersion;
    k[2] = (f.srcPort << 16) | f.dstPort;
    if (f.ipVersion === 6) {
      for (let i = 0; i < 4; i++) {
        const s = f.srcOffset + i * 4;
        const d = f.dstOffset + i * 4;
        k[3 + i] = ((buf[s] << 24) | (buf[s + 1] << 16) | (buf[s + 2] << 8) | buf[s + 3]) >>> 0;
        k[7 + i] = ((buf[d] << 24) | (buf[d + 1] << 16) | (buf[d + 2] << 8) | buf[d + 3]) >>> 0;
      }
    } else {
      k[3] = f.src4;
      k[7] = f.dst4;
      k[4] = k[5] = k[6] = k[8] = k[9] = k[10] = 0;
    }
    // FNV-1a over the key words.
    let h = 0x811c9dc5;
    for (let i = 0; i < KEY_WORDS; i++) {
      h = Math.imul(h ^ k[i], 0x01000193);
    }
    h ^= h >>> 15;
    const base = (h & (this.sets - 1)) * WAYS;
    let victim = base;
    let free = -1;
    for (let w = 0; w < WAYS; w++) {
      const slot = base + w;
      if (this.used[slot] === 0) {
        if (free < 0) {
          free = slot;
        }
        continue;
      }
      if (this.matches(slot)) {
        this.packets[slot] += 1;
        this.bytes[slot] += wirelen;
        this.lastSeen[slot] = tsMs;
        return;
      }
      if (this.bytes[slot] < this.bytes[victim] || this.used[victim] === 0) {
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
    this.keys.set(k, slot * KEY_WORDS);
    this.used[slot] = 1;
    this.packets[slot] = 1;
    this.bytes[slot] = wirelen;
    this.firstSeen[slot] = tsMs;
    this.lastSeen[slot] = tsMs;
  }

  private matches(slot: number): boolean {
    const o = slot * KEY_WORDS;
    const k = this.scratch;
    for (let i = 0; i < KEY_WORDS; i++) {
      if (this.keys[o + i] !== k[i]) {
        return false;
      }
    }
    return true;
  }

  /** The `k` flows with the most bytes, largest first. */
  top(k: number): FlowRow[] {
    const slots: number[] = [];
    for (let s = 0; s < this.used.length; s++) {
      if (this.used[s] !== 0) {
        slots.push(s);
      }
    }
    slots.sort((a, b) => this.bytes[b] - this.bytes[a]);
    return slots.slice(0, k).map((s) => this.row(s));
  }

  private row(slot: number): FlowRow {
    const o = slot * KEY_WORDS;
    const kw = this.keys;
    const ipVersion = kw[o + 1] & 0xffff;
    const addr = (at: number): string =>
      ipVersion === 6 ? formatV6Words(kw, at) : formatIpv4(kw[at]);
    return {
      vni: kw[o],
      ipVersion,
      protocol: kw[o + 1] >>> 16,
      src: addr(o + 3),
      dst: addr(o + 7),
      srcPort: kw[o + 2] >>> 16,
      dstPort: kw[o + 2] & 0xffff,
      packets: this.packets[slot],
      bytes: this.bytes[slot],
      firstSeen: this.firstSeen[slot],
      lastSeen: this.lastSeen[slot],
    };
  }
}

/** An IPv6 address kept as four big-endian words, formatted by the wire library (RFC 5952). */
function formatV6Words(words: Uint32Array, at: number): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const w = words[at + i];
    bytes[i * 4] = w >>> 24;
    bytes[i * 4 + 1] = (w >>> 16) & 255;
    bytes[i * 4 + 2] = (w >>> 8) & 255;
    bytes[i * 4 + 3] = w & 255;
  }
  return formatIpv6(bytes, 0);
}
