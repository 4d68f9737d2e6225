/** A captured frame kept for the packet inspector and pcap export (a copy: the pcap buffer is reused). */
export interface RecentPacket {
  readonly vni: number;
  readonly tsMs: number;
  readonly wirelen: number;
  readonly linkType: number;
  /** The captured bytes, base64 (it crosses the collector → daemon channel as JSON). */
  readonly data: string;
}

interface Ring {
  readonly slab: Buffer;
  readonly lengths: Uint32Array;
  readonly wirelens: Uint32Array;
  readonly linkTypes: Int32Array;
  readonly ts: Float64Array;
  /** Total packets ever written; the slot is `written % size`. */
  written: number;
  /** `written` at the last drain. */
  drained: number;
}

/**
 * A few frames of each VNI per drain window, each cut to `snaplen` bytes, in one preallocated slab
 * per VNI: keeping a packet is a bounded byte copy, never an allocation. Once `perVni` frames of a
 * VNI were kept in a window, further ones cost one comparison until the next drain, so a busy VNI
 * does not pay a copy per packet. The daemon keeps the most recent windows. At most `maxVnis` VNIs
 * get a ring; later ones are not kept (counted).
 */
export class PacketRing {
  private readonly rings = new Map<number, Ring>();
  private _skipped = 0;
  /** The VNI of the previous kept frame and its ring. */
  private lastVni = -2;
  private lastRing: Ring | undefined;

  constructor(
    private readonly perVni: number,
    private readonly snaplen: number,
    private readonly maxVnis: number,
  ) {}

  get skipped(): number {
    return this._skipped;
  }

  keep(vni: number, buf: Uint8Array, offset: number, caplen: number, wirelen: number, linkType: number, tsMs: number): void {
    let r = vni === this.lastVni ? this.lastRing : this.rings.get(vni);
    if (r === undefined) {
      if (this.rings.size >= this.maxVnis) {
        this._skipped++;
        return;
      }
      r = {
        slab: Buffer.alloc(this.perVni * this.snaplen),
        lengths: new Uint32Array(this.perVni),
        wirelens: new Uint32Array(this.perVni),
        linkTypes: new Int32Array(this.perVni),
        ts: new Float64Array(this.perVni),
        written: 0,
        drained: 0,
      };
      this.rings.set(vni, r);
    }
    this.lastVni = vni;
    this.lastRing = r;
    if (r.written - r.drained >= this.perVni) {
      return;
    }
    const slot = r.written % this.perVni;
    const n = caplen < this.snaplen ? caplen : this.snaplen;
    const at = slot * this.snaplen;
    for (let i = 0; i < n; i++) {
      r.slab[at + i] = buf[offset + i];
    }
    r.lengths[slot] = n;
    r.wirelens[slot] = wirelen;
    r.linkTypes[slot] = linkType;
    r.ts[slot] = tsMs;
    r.written++;
  }

  /** Frames kept since the last drain (at most `perVni` per VNI), oldest first. */
  drain(): RecentPacket[] {
    const out: RecentPacket[] = [];
    for (const [vni, r] of this.rings) {
      for (let i = r.drained; i < r.written; i++) {
        out.push(this.read(vni, r, i % this.perVni));
      }
      r.drained = r.written;
    }
    return out;
  }

  /** Every frame still held, oldest first per VNI. */
  all(): RecentPacket[] {
    const out: RecentPacket[] = [];
    for (const [vni, r] of this.rings) {
      for (let i = Math.max(0, r.written - this.perVni); i < r.written; i++) {
        out.push(this.read(vni, r, i % this.perVni));
      }
    }
    return out;
  }

  private read(vni: number, r: Ring, slot: number): RecentPacket {
    const at = slot * this.snaplen;
    return {
      vni,
      tsMs: r.ts[slot],
      wirelen: r.wirelens[slot],
      linkType: r.linkTypes[slot],
      data: r.slab.toString('base64', at, at + r.lengths[slot]),
    };
  }
}
