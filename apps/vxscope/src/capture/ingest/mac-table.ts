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

interface Entry {
  vtep: number | string;
  previousVtep: number | string | undefined;
  packets: number;
  firstSeen: number;
  lastSeen: number;
  moves: number;
  dirty: boolean;
}

/**
 * Inner MAC → VTEP, bounded: at capacity the oldest-inserted MAC is dropped (counted). The MAC is
 * keyed as a 48-bit number under its VNI, so a packet costs two Map lookups and no allocation
 * unless the MAC is new or moved.
 */
export class MacTable {
  private readonly byVni = new Map<number, Map<number, Entry>>();
  /** Insertion order for eviction; consumed from `head` and compacted now and then. */
  private order: [number, number][] = [];
  private head = 0;
  private size = 0;
  private _evictions = 0;

  constructor(
    private readonly capacity: number,
    private readonly formatVtep: (key: number | string) => string,
  ) {}

  get evictions(): number {
    return this._evictions;
  }

  see(vni: number, buf: Uint8Array, macOffset: number, vtep: number | string, tsMs: number): void {
    const mac =
      buf[macOffset] * 0x10000000000 +
      buf[macOffset + 1] * 0x100000000 +
      ((buf[macOffset + 2] << 24) >>> 0) +
      ((buf[macOffset + 3] << 16) | (buf[macOffset + 4] << 8) | buf[macOffset + 5]);
    let macs = this.byVni.get(vni);
    if (macs === undefined) {
      macs = new Map();
      this.byVni.set(vni, macs);
    }
    const e = macs.get(mac);
    if (e !== undefined) {
      e.packets++;
      e.lastSeen = tsMs;
      if (e.vtep !== vtep) {
        e.previousVtep = e.vtep;
        e.vtep = vtep;
        e.moves++;
        e.dirty = true;
      }
      return;
    }
    if (this.size >= this.capacity) {
      this.evictOldest();
    }
    macs.set(mac, { vtep, previousVtep: undefined, packets: 1, firstSeen: tsMs, lastSeen: tsMs, moves: 0, dirty: true });
    this.order.push([vni, mac]);
    this.size++;
  }

  private evictOldest(): void {
    while (this.head < this.order.length) {
      const [vni, mac] = this.order[this.head++];
      if (this.head > 4096 && this.head * 2 > this.order.length) {
        this.order = this.order.slice(this.head);
        this.head = 0;
      }
      const macs = this.byVni.get(vni);
      if (macs?.delete(mac)) {
        if (macs.size === 0) {
          // Keep no empty map per VNI ever seen: a stream of new VNIs would grow memory and drain time.
          this.byVni.delete(vni);
        }
        this.size--;
        this._evictions++;
        return;
      }
    }
  }

  /** Every MAC (at most `limit`), most recently seen first. */
  list(limit = Infinity): MacSighting[] {
    const out: MacSighting[] = [];
    for (const [vni, macs] of this.byVni) {
      for (const [mac, e] of macs) {
        out.push(this.sighting(vni, mac, e));
      }
    }
    return out.sort((a, b) => b.lastSeen - a.lastSeen).slice(0, limit);
  }

  /** MACs that are new or moved since the last call. */
  drainChanged(): MacSighting[] {
    const out: MacSighting[] = [];
    for (const [vni, macs] of this.byVni) {
      for (const [mac, e] of macs) {
        if (e.dirty) {
          e.dirty = false;
          out.push(this.sighting(vni, mac, e));
        }
      }
    }
    return out;
  }

  private sighting(vni: number, mac: number, e: Entry): MacSighting {
    const hex = mac.toString(16).padStart(12, '0');
    return {
      vni,
      mac: hex.replace(/(..)(?!$)/g, '$1:'),
      vtep: this.formatVtep(e.vtep),
      packets: e.packets,
      firstSeen: e.firstSeen,
      lastSeen: e.lastSeen,
      previousVtep: e.previousVtep === undefined ? undefined : this.formatVtep(e.previousVtep),
      moves: e.moves,
    };
  }
}
