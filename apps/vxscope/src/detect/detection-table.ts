import { DETECTION_KINDS, type DetectionKind, type DetectionReason } from './detect.types';

export const DETECTION_REASONS: readonly DetectionReason[] = [
  'wrong-vtep',
  'stale-entry',
  'flooded',
  'no-device',
  'no-listener',
  'inner-too-large',
  'outer-fragment',
  'icmp-frag-needed',
  'no-i-flag',
  'reserved-bits',
];

/** Numeric codes of kinds and reasons, for the typed arrays of the table. */
export const KIND = Object.fromEntries(DETECTION_KINDS.map((k, i) => [k, i])) as Readonly<Record<DetectionKind, number>>;
export const REASON = Object.fromEntries(DETECTION_REASONS.map((r, i) => [r, i])) as Readonly<Record<DetectionReason, number>>;

/** One counted key, read out of the table at drain time. Numbers are -1 when absent. */
export interface DetectionCell {
  readonly kind: DetectionKind;
  readonly reason: DetectionReason;
  readonly vni: number;
  /** IPv4 as u32. */
  readonly vtep: number;
  /** 48-bit MAC. */
  readonly mac: number;
  /** A key field whose meaning depends on the reason (expected VTEP, UDP port, device ifindex, ICMP sender). */
  readonly aux: number;
  /** The last sample value (sizes, MTUs, flags). */
  readonly sample: number;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

const LOAD_FACTOR = 0.5;

/**
 * Occurrence counters keyed by (kind, reason, VNI, VTEP, MAC, aux), in preallocated typed arrays
 * with open addressing: counting never allocates. At capacity, occurrences of new keys are dropped
 * and counted in `overflow`.
 */
export class DetectionTable {
  private readonly mask: number;
  private readonly limit: number;
  private readonly used: Uint8Array;
  private readonly kind: Uint8Array;
  private readonly reason: Uint8Array;
  private readonly vni: Int32Array;
  private readonly vtep: Float64Array;
  private readonly mac: Float64Array;
  private readonly aux: Float64Array;
  private readonly sample: Float64Array;
  private readonly count: Float64Array;
  private readonly first: Float64Array;
  private readonly last: Float64Array;
  /** Slots in use, in insertion order. */
  private readonly slots: Int32Array;
  private size = 0;
  overflow = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity) {
      n *= 2;
    }
    this.mask = n - 1;
    this.limit = Math.floor(n * LOAD_FACTOR);
    this.used = new Uint8Array(n);
    this.kind = new Uint8Array(n);
    this.reason = new Uint8Array(n);
    this.vni = new Int32Array(n);
    this.vtep = new Float64Array(n);
    this.mac = new Float64Array(n);
    this.aux = new Float64Array(n);
    this.sample = new Float64Array(n);
    this.count = new Float64Array(n);
    this.first = new Float64Array(n);
    this.last = new Float64Array(n);
    this.slots = new Int32Array(this.limit);
  }

  get length(): number {
    return this.size;
  }

  add(kind: number, reason: number, vni: number, vtep: number, mac: number, aux: number, sample: number, tsMs: number): void {
    let h = Math.imul(kind * 16 + reason + 1, 0x9e3779b1);
    h = Math.imul(h ^ vni, 0x85ebca6b);
    h = Math.imul(h ^ (vtep | 0), 0xc2b2ae35);
    h = Math.imul(h ^ (mac % 0x100000000 | 0) ^ ((mac / 0x100000000) | 0), 0x27d4eb2f);
    h = Math.imul(h ^ (aux | 0), 0x165667b1);
    h ^= h >>> 15;
    let i = h & this.mask;
    for (;;) {
      if (this.used[i] === 0) {
        if (this.size >= this.limit) {
          this.overflow++;
          return;
        }
        this.used[i] = 1;
        this.kind[i] = kind;
        this.reason[i] = reason;
        this.vni[i] = vni;
        this.vtep[i] = vtep;
        this.mac[i] = mac;
        this.aux[i] = aux;
        this.sample[i] = sample;
        this.count[i] = 1;
        this.first[i] = tsMs;
        this.last[i] = tsMs;
        this.slots[this.size++] = i;
        return;
      }
      if (
        this.kind[i] === kind &&
        this.reason[i] === reason &&
        this.vni[i] === vni &&
        this.vtep[i] === vtep &&
        this.mac[i] === mac &&
        this.aux[i] === aux
      ) {
        this.count[i]++;
        this.sample[i] = sample;
        if (tsMs > this.last[i]) {
          this.last[i] = tsMs;
        }
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Every key counted since the previous drain; the table starts afresh. */
  drain(): DetectionCell[] {
    const out: DetectionCell[] = [];
    for (let s = 0; s < this.size; s++) {
      const i = this.slots[s];
      out.push({
        kind: DETECTION_KINDS[this.kind[i]],
        reason: DETECTION_REASONS[this.reason[i]],
        vni: this.vni[i],
        vtep: this.vtep[i],
        mac: this.mac[i],
        aux: this.aux[i],
        sample: this.sample[i],
        count: this.count[i],
        firstSeen: this.first[i],
        lastSeen: this.last[i],
      });
      this.used[i] = 0;
    }
    this.size = 0;
    return out;
  }
}
