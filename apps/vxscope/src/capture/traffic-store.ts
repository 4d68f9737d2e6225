import type { FlowRow } from './ingest/flow-table';
import type { IngestReport } from './ingest/ingest';
import type { MacSighting } from './ingest/mac-table';
import type { RecentPacket } from './ingest/packet-ring';
import { addPacketCounts } from './ingest/packet-counts';
import { emptyVniReport, mergeVniReport, type VniReport } from './ingest/vni-counters';
import type { InterfaceCaptureStats, InterfaceDelta, PairDelta } from '../collector/collector.protocol';

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
  readonly report: VniReport;
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

export interface InterfaceTotals {
  readonly netns: string;
  readonly name: string;
  packets: number;
  vxlanPackets: number;
  gpePackets: number;
  genevePackets: number;
  otherPackets: number;
  vniOverflow: number;
  readonly decodeErrors: Record<string, number>;
  stats?: InterfaceCaptureStats;
  error?: string;
}

export interface StoredPacket {
  readonly netns: string;
  readonly interface: string;
  readonly vni: number;
  readonly tsMs: number;
  readonly wirelen: number;
  readonly linkType: number;
  readonly data: Buffer;
}

export interface TrafficLimits {
  /** Recent frames kept per (namespace, VNI) for the inspector and pcap export. */
  readonly packetsPerVni: number;
  /** Inner MAC sightings kept per namespace. */
  readonly macsPerNetns: number;
  /** (namespace, VNI) rows and VTEP pairs per VNI. */
  readonly maxVnis: number;
  readonly maxPairsPerVni: number;
}

const key = (netns: string, x: string | number): string => `${netns}\u0000${x}`;

/**
 * Everything the collectors reported about the wire, merged and bounded: per-VNI totals and VTEP
 * pairs, per-interface health, inner MAC → VTEP, the top flows and a few recent frames per VNI.
 * What the bounds drop is counted in `evictions`.
 */
export class TrafficStore {
  private readonly vnis = new Map<string, VniStats>();
  private readonly interfaces = new Map<string, InterfaceTotals>();
  private readonly geneve = new Map<string, { netns: string; vni: number; packets: number; bytes: number }>();
  private readonly macs = new Map<string, Map<string, MacSighting>>();
  private readonly packets = new Map<string, StoredPacket[]>();
  private readonly lastTick = new Map<string, { packets: number; bytes: number; at: number }>();
  readonly evictions = { vnis: 0, pairs: 0, macs: 0 };

  constructor(private readonly limits: TrafficLimits) {}

  mergeDelta(netns: string, deltas: readonly InterfaceDelta[]): void {
    for (const d of deltas) {
      this.mergeReport(netns, d.name, d.report);
      this.mergeMacs(netns, d.macs);
      this.keepPackets(netns, d.name, d.packets);
    }
  }

  private iface(netns: string, name: string): InterfaceTotals {
    let t = this.interfaces.get(key(netns, name));
    if (!t) {
      t = { netns, name, packets: 0, vxlanPackets: 0, gpePackets: 0, genevePackets: 0, otherPackets: 0, vniOverflow: 0, decodeErrors: {} };
      this.interfaces.set(key(netns, name), t);
    }
    return t;
  }

  private mergeReport(netns: string, ifname: string, r: IngestReport): void {
    addPacketCounts(this.iface(netns, ifname), r);
    for (const [vniText, report] of Object.entries(r.vnis)) {
      const v = this.vni(netns, Number(vniText));
      if (v) {
        mergeVniReport(v.report, report);
      }
    }
    for (const p of r.vtepPairs) {
      this.mergePair(netns, p);
    }
    for (const [vniText, g] of Object.entries(r.geneveVnis)) {
      const k = key(netns, vniText);
      const cur = this.geneve.get(k) ?? { netns, vni: Number(vniText), packets: 0, bytes: 0 };
      cur.packets += g.packets;
      cur.bytes += g.bytes;
      this.geneve.set(k, cur);
    }
  }

  private vni(netns: string, vni: number): VniStats | undefined {
    const k = key(netns, vni);
    let v = this.vnis.get(k);
    if (!v) {
      if (this.vnis.size >= this.limits.maxVnis) {
        this.evictions.vnis++;
        return undefined;
      }
      v = { netns, vni, report: emptyVniReport(), pairs: new Map() };
      this.vnis.set(k, v);
    }
    return v;
  }

  private mergePair(netns: string, d: PairDelta): void {
    const v = this.vni(netns, d.vni);
    if (!v) {
      return;
    }
    const pairKey = `${d.src}>${d.dst}:${d.dstPort}`;
    const p = v.pairs.get(pairKey);
    if (p) {
      p.packets += d.packets;
      p.bytes += d.bytes;
      p.firstSeen = Math.min(p.firstSeen, d.firstSeen);
      p.lastSeen = Math.max(p.lastSeen, d.lastSeen);
    } else if (v.pairs.size < this.limits.maxPairsPerVni) {
      v.pairs.set(pairKey, { src: d.src, dst: d.dst, dstPort: d.dstPort, packets: d.packets, bytes: d.bytes, firstSeen: d.firstSeen, lastSeen: d.lastSeen });
    } else {
      this.evictions.pairs++;
    }
  }

  private mergeMacs(netns: string, sightings: readonly MacSighting[]): void {
    let m = this.macs.get(netns);
    if (!m) {
      m = new Map();
      this.macs.set(netns, m);
    }
    for (const s of sightings) {
      const k = `${s.vni}|${s.mac}`;
      m.delete(k); // re-insert: Map order is then least recently reported first
      m.set(k, s);
      if (m.size > this.limits.macsPerNetns) {
        const oldest = m.keys().next().value;
        if (oldest !== undefined) {
          m.delete(oldest);
          this.evictions.macs++;
        }
      }
    }
  }

  private keepPackets(netns: string, ifname: string, packets: readonly RecentPacket[]): void {
    for (const p of packets) {
      const k = key(netns, p.vni);
      let ring = this.packets.get(k);
      if (!ring) {
        ring = [];
        this.packets.set(k, ring);
      }
      ring.push({ netns, interface: ifname, vni: p.vni, tsMs: p.tsMs, wirelen: p.wirelen, linkType: p.linkType, data: Buffer.from(p.data, 'base64') });
      if (ring.length > this.limits.packetsPerVni) {
        ring.splice(0, ring.length - this.limits.packetsPerVni);
      }
    }
  }

  /** The collector's complete list of open sessions: interfaces not in it are no longer captured. */
  setStats(netns: string, stats: readonly InterfaceCaptureStats[]): void {
    const open = new Set(stats.map((s) => s.name));
    for (const t of this.interfaces.values()) {
      if (t.netns === netns && !open.has(t.name)) {
        t.stats = undefined;
      }
    }
    for (const s of stats) {
      const t = this.iface(netns, s.name);
      t.stats = s;
      t.error = undefined;
    }
  }

  setError(netns: string, ifname: string, message: string): void {
    this.iface(netns, ifname).error = message;
  }

  /** A collector exited: its sessions are gone, but what they counted stays. */
  collectorGone(netns: string): void {
    for (const t of this.interfaces.values()) {
      if (t.netns === netns) {
        t.stats = undefined;
      }
    }
  }

  listVnis(): VniStats[] {
    return [...this.vnis.values()].sort((a, b) => a.netns.localeCompare(b.netns) || a.vni - b.vni);
  }

  listInterfaces(): InterfaceTotals[] {
    return [...this.interfaces.values()].sort((a, b) => a.netns.localeCompare(b.netns) || a.name.localeCompare(b.name));
  }

  listGeneve(): { netns: string; vni: number; packets: number; bytes: number }[] {
    return [...this.geneve.values()];
  }

  listMacs(netns?: string): (MacSighting & { netns: string })[] {
    const out: (MacSighting & { netns: string })[] = [];
    for (const [ns, m] of this.macs) {
      if (netns === undefined || ns === netns) {
        for (const s of m.values()) {
          out.push({ ...s, netns: ns });
        }
      }
    }
    return out;
  }

  /** Top flows across interfaces, from each session's latest stats. */
  topFlows(): (FlowRow & { netns: string; interface: string })[] {
    const out: (FlowRow & { netns: string; interface: string })[] = [];
    for (const t of this.interfaces.values()) {
      for (const f of t.stats?.topFlows ?? []) {
        out.push({ ...f, netns: t.netns, interface: t.name });
      }
    }
    return out.sort((a, b) => b.bytes - a.bytes);
  }

  recentPackets(netns?: string, vni?: number): StoredPacket[] {
    const out: StoredPacket[] = [];
    for (const ring of this.packets.values()) {
      for (const p of ring) {
        if ((netns === undefined || p.netns === netns) && (vni === undefined || p.vni === vni)) {
          out.push(p);
        }
      }
    }
    return out.sort((a, b) => a.tsMs - b.tsMs);
  }

  /** Packets and bytes per second for every VNI since the previous call. */
  rates(now: number): VniRate[] {
    const out: VniRate[] = [];
    for (const [k, v] of this.vnis) {
      const prev = this.lastTick.get(k);
      const seconds = prev ? Math.max((now - prev.at) / 1000, 0.001) : 1;
      const { packets, bytes } = v.report;
      out.push({ netns: v.netns, vni: v.vni, pps: (packets - (prev?.packets ?? 0)) / seconds, bps: ((bytes - (prev?.bytes ?? 0)) * 8) / seconds, packets, bytes });
      this.lastTick.set(k, { packets, bytes, at: now });
    }
    return out.sort((a, b) => a.netns.localeCompare(b.netns) || a.vni - b.vni);
  }
}
