import type { PairDelta } from '../collector/collector.protocol';

export interface PairStats {
  readonly src: string;
  readonly dst: string;
  readonly dstPort: number;
  packets: number;
  bytes: number;
  firstSeen: number;
  lastSeen: number;
}

export interface VniStats {
  readonly netns: string;
  readonly vni: number;
  packets: number;
  bytes: number;
  firstSeen: number;
  lastSeen: number;
  readonly pairs: Map<string, PairStats>;
}

export interface VniRate {
  readonly netns: string;
  readonly vni: number;
  readonly pps: number;
  readonly bps: number;
  readonly packets: number;
  readonly bytes: number;
}

/** Running totals per (namespace, VNI) and per VTEP pair, merged from collector deltas. */
export class VniStatsTable {
  private readonly byKey = new Map<string, VniStats>();
  private readonly lastTick = new Map<string, { packets: number; bytes: number; at: number }>();

  merge(netns: string, pairs: readonly PairDelta[]): void {
    for (const d of pairs) {
      const key = `${netns}\u0000${d.vni}`;
      let v = this.byKey.get(key);
      if (!v) {
        v = { netns, vni: d.vni, packets: 0, bytes: 0, firstSeen: d.firstSeen, lastSeen: d.lastSeen, pairs: new Map() };
        this.byKey.set(key, v);
      }
      v.packets += d.packets;
      v.bytes += d.bytes;
      v.firstSeen = Math.min(v.firstSeen, d.firstSeen);
      v.lastSeen = Math.max(v.lastSeen, d.lastSeen);
      const pairKey = `${d.src}>${d.dst}:${d.dstPort}`;
      const p = v.pairs.get(pairKey);
      if (!p) {
        v.pairs.set(pairKey, { src: d.src, dst: d.dst, dstPort: d.dstPort, packets: d.packets, bytes: d.bytes, firstSeen: d.firstSeen, lastSeen: d.lastSeen });
      } else {
        p.packets += d.packets;
        p.bytes += d.bytes;
        p.firstSeen = Math.min(p.firstSeen, d.firstSeen);
        p.lastSeen = Math.max(p.lastSeen, d.lastSeen);
      }
    }
  }

  list(): VniStats[] {
    return [...this.byKey.values()].sort((a, b) => a.netns.localeCompare(b.netns) || a.vni - b.vni);
  }

  /** Packets and bytes per second for every VNI since the previous call. */
  rates(now: number): VniRate[] {
    const out: VniRate[] = [];
    for (const [key, v] of this.byKey) {
      const prev = this.lastTick.get(key);
      const seconds = prev ? Math.max((now - prev.at) / 1000, 0.001) : 1;
      const dp = v.packets - (prev?.packets ?? 0);
      const db = v.bytes - (prev?.bytes ?? 0);
      out.push({ netns: v.netns, vni: v.vni, pps: dp / seconds, bps: (db * 8) / seconds, packets: v.packets, bytes: v.bytes });
      this.lastTick.set(key, { packets: v.packets, bytes: v.bytes, at: now });
    }
    return out.sort((a, b) => a.netns.localeCompare(b.netns) || a.vni - b.vni);
  }
}
