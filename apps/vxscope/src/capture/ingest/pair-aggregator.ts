import type { PairDelta } from '../../collector/collector.protocol';

interface Counter {
  packets: number;
  bytes: number;
  firstSeen: number;
  lastSeen: number;
}

/**
 * Accumulates packets per (VNI, outer source, outer destination, destination port) between flushes.
 * The per-packet path does only Map lookups on numbers and integer adds: address strings are made
 * once per pair per flush. IPv6 VTEPs are keyed by their formatted address (allocated per packet; rare).
 */
export class PairAggregator {
  // vni * 65536 + dstPort → source key → destination key → counter
  private readonly table = new Map<number, Map<number | string, Map<number | string, Counter>>>();
  private readonly formatKey: (key: number | string) => string;

  constructor(formatIpv4: (addr: number) => string) {
    this.formatKey = (key) => (typeof key === 'number' ? formatIpv4(key) : key);
  }

  add(vni: number, dstPort: number, src: number | string, dst: number | string, bytes: number, tsMs: number): void {
    const outer = vni * 65536 + dstPort;
    let bySrc = this.table.get(outer);
    if (bySrc === undefined) {
      bySrc = new Map();
      this.table.set(outer, bySrc);
    }
    let byDst = bySrc.get(src);
    if (byDst === undefined) {
      byDst = new Map();
      bySrc.set(src, byDst);
    }
    const c = byDst.get(dst);
    if (c === undefined) {
      byDst.set(dst, { packets: 1, bytes, firstSeen: tsMs, lastSeen: tsMs });
      return;
    }
    c.packets += 1;
    c.bytes += bytes;
    if (tsMs > c.lastSeen) {
      c.lastSeen = tsMs;
    }
  }

  /** Returns everything counted since the last flush and starts afresh. */
  flush(): PairDelta[] {
    const out: PairDelta[] = [];
    for (const [outer, bySrc] of this.table) {
      const vni = Math.floor(outer / 65536);
      const dstPort = outer % 65536;
      for (const [src, byDst] of bySrc) {
        for (const [dst, c] of byDst) {
          out.push({ vni, src: this.formatKey(src), dst: this.formatKey(dst), dstPort, ...c });
        }
      }
    }
    this.table.clear();
    return out;
  }
}
