import {
  createInnerFlowInfo,
  createVxlanFrameInfo,
  decodeInnerFlow,
  decodeLayers,
  decodeVxlanFrame,
  formatIpv4,
  formatIpv6,
  IP_PROTOCOL_GRE,
  IP_PROTOCOL_HOPOPTS,
  IP_PROTOCOL_IPV6_FRAG,
  IP_PROTOCOL_IPV6_OPTS,
  IP_PROTOCOL_IPV6_ROUTE,
  IP_PROTOCOL_UDP,
  PortRegistry,
  type DecodedLayer,
  type VxlanFrameInfo,
} from '@vx/wire';

import type { PairDelta } from '../../collector/collector.protocol';
import { FlowTable, type FlowRow } from './flow-table';
import { MacTable, type MacSighting } from './mac-table';
import { PacketRing, type RecentPacket } from './packet-ring';
import { PairAggregator } from './pair-aggregator';
import { VniCounters, type VniReport } from './vni-counters';
import { VniTable } from './vni-table';

export interface IngestOptions {
  /** UDP ports decoded as VXLAN. */
  readonly ports: readonly number[];
  /** VNIs tracked at once; packets of further VNIs are counted as evicted. */
  readonly maxVnis: number;
  readonly flowCapacity: number;
  readonly macCapacity: number;
  /** Recent frames kept per VNI between drains (0: none). */
  readonly ringPerVni: number;
  readonly ringSnaplen: number;
}

export const DEFAULT_INGEST_OPTIONS: IngestOptions = {
  ports: [4789, 8472],
  maxVnis: 4096,
  flowCapacity: 65536,
  macCapacity: 65536,
  ringPerVni: 32,
  ringSnaplen: 256,
};

/** Everything counted since the previous drain. Counters sum across drains; flows and MACs are state. */
export interface IngestReport {
  packets: number;
  vxlanPackets: number;
  gpePackets: number;
  genevePackets: number;
  /** Frames with no tunnel header (the BPF filter lets some through, e.g. other UDP on a VXLAN port's peer). */
  otherPackets: number;
  /** "layer/reason" → frames. */
  decodeErrors: Record<string, number>;
  vnis: Record<string, VniReport>;
  geneveVnis: Record<string, { packets: number; bytes: number }>;
  vtepPairs: PairDelta[];
  /** Packets of VNIs (VXLAN or GENEVE) beyond `maxVnis`, not broken down. */
  vniOverflow: number;
}

export interface IngestState {
  topFlows: FlowRow[];
  flowEvictions: number;
  flowsTracked: number;
  macEvictions: number;
  /** VTEP pairs not counted because a flush window held more distinct pairs than the table bound. */
  pairEvictions: number;
}

/**
 * Per-frame checks after decoding (the collector's wire checks against the kernel). Called on the
 * hot path, synchronously, with the caller's buffer: an implementation must not keep views of it and
 * should not allocate.
 */
export interface FrameObserver {
  /**
   * A frame with a VXLAN header (`f` describes the outermost one; its inner frame may be cut short).
   * `f.nestedVxlan` is not counted here (0): frames with a tunnel inside go to the layered decoder.
   */
  vxlan(buf: Uint8Array, offset: number, f: VxlanFrameInfo, tsMs: number): void;
  /** A frame that is neither VXLAN, VXLAN-GPE nor GENEVE (outer IP fragments, ICMP errors). */
  other(buf: Uint8Array, offset: number, caplen: number, linkType: number, tsMs: number): void;
}

// The hot wire functions, bound once: through the package index every call would go through a
// re-export getter (CommonJS output).
const decodeFrame = decodeVxlanFrame;
const decodeFlow = decodeInnerFlow;

// Bound once, like the functions above.
const UDP = IP_PROTOCOL_UDP;
/** IPv6 extension headers decodeInnerFlow() steps over (RFC 8200 §4): hop-by-hop, routing, fragment, destination. */
const IPV6_HOPOPTS = IP_PROTOCOL_HOPOPTS;
const IPV6_ROUTE = IP_PROTOCOL_IPV6_ROUTE;
const IPV6_FRAG = IP_PROTOCOL_IPV6_FRAG;
const IPV6_OPTS = IP_PROTOCOL_IPV6_OPTS;

const LAYER_GENEVE = 'geneve';
const LAYER_GPE = 'vxlan-gpe';
const GRE = IP_PROTOCOL_GRE;

/**
 * The capture pipeline after libpcap: decodes each frame synchronously with `libs/wire` and adds it
 * to bounded aggregates. Used live by the collector and offline by `vxscope read`. The common frame
 * (one VXLAN header) takes an allocation-free path; tunnels in tunnels, GENEVE, VXLAN-GPE and GRE
 * (NVGRE, ERSPAN) take the full layered decoder.
 */
export class Ingest {
  private ports: PortRegistry;
  private readonly frame = createVxlanFrameInfo();
  /** Header flags of a VXLAN layer met on the slow path, in the shape countVni() reads. */
  private readonly slowFlags = { vniValid: true, reservedBitsSet: false };
  private readonly flow = createInnerFlowInfo();
  private readonly vniCounters: VniTable<VniCounters>;
  /** The VNI of the previous packet and its counters (consecutive packets often share a VNI). */
  private lastVni = -2;
  private lastCounters: VniCounters | undefined;
  private geneve = new Map<number, { packets: number; bytes: number }>();
  private errors = new Map<string, Map<string, number>>();
  private readonly pairs = new PairAggregator(formatIpv4);
  readonly flows: FlowTable;
  readonly macs: MacTable;
  private readonly ring: PacketRing | undefined;
  private packets = 0;
  private vxlanPackets = 0;
  private gpePackets = 0;
  private genevePackets = 0;
  private otherPackets = 0;
  private vniOverflow = 0;
  private observer: FrameObserver | undefined;

  constructor(private readonly options: IngestOptions = DEFAULT_INGEST_OPTIONS) {
    this.ports = new PortRegistry(options.ports);
    this.vniCounters = new VniTable(options.maxVnis);
    this.flows = new FlowTable(options.flowCapacity);
    this.macs = new MacTable(options.macCapacity, (k) => (typeof k === 'number' ? formatIpv4(k) : k));
    this.ring = options.ringPerVni > 0 ? new PacketRing(options.ringPerVni, options.ringSnaplen, options.maxVnis) : undefined;
  }

  /** Every decoded frame is shown to `observer` too (one at a time; undefined removes it). */
  observe(observer: FrameObserver | undefined): void {
    this.observer = observer;
  }

  /** The VXLAN ports changed (a vxlan device with a new dstport appeared). */
  setPorts(ports: readonly number[]): void {
    this.ports = new PortRegistry(ports);
  }

  /**
   * One captured frame. `buf` may be reused by the caller after the call returns: nothing here keeps a
   * view of it. Never throws for any input.
   */
  packet(buf: Uint8Array, offset: number, caplen: number, wirelen: number, linkType: number, tsMs: number): void {
    this.packets++;
    const f = this.frame;
    // No nested-VXLAN walk in the decoder: innerIsTunnel() decodes the inner packet anyway.
    if (decodeFrame(buf, offset, caplen, linkType, this.ports, f, 0)) {
      this.observer?.vxlan(buf, offset, f, tsMs);
      if (this.innerIsTunnel(buf, offset, caplen, linkType, f)) {
        this.layered(buf, offset, caplen, wirelen, linkType, tsMs);
        return;
      }
      this.vxlanPackets++;
      this.countVxlan(buf, f, wirelen, tsMs);
      this.addPair(buf, f, wirelen, tsMs);
      this.ring?.keep(f.vni, buf, offset, caplen, wirelen, linkType, tsMs);
      return;
    }
    if (f.error !== undefined) {
      this.countError(f.errorLayer ?? 'link', f.error);
      if (f.vxlanOffset >= 0) {
        // The VXLAN header itself was read: the frame belongs to its VNI even though the inner frame is cut.
        this.observer?.vxlan(buf, offset, f, tsMs);
        this.vxlanPackets++;
        this.countVni(f.vni, f, wirelen, tsMs);
        this.addPair(buf, f, wirelen, tsMs);
      }
      return;
    }
    const tunnel = this.ports.lookup(f.srcPort, f.dstPort);
    if (tunnel === LAYER_GENEVE || tunnel === LAYER_GPE || f.outerIpProtocol === GRE) {
      this.layered(buf, offset, caplen, wirelen, linkType, tsMs);
      return;
    }
    this.observer?.other(buf, offset, caplen, linkType, tsMs);
    this.otherPackets++;
  }

  /**
   * Decodes the inner flow into `this.flow` and tells whether the inner packet holds another tunnel
   * (VXLAN, VXLAN-GPE or GENEVE over UDP). Any nested VXLAN the decoder would find is UDP on a VXLAN
   * port that decodeInnerFlow() reads too, except behind more IPv6 extension headers than it walks:
   * then (never in practice) the decoder's own nested walk decides.
   */
  private innerIsTunnel(buf: Uint8Array, offset: number, caplen: number, linkType: number, f: VxlanFrameInfo): boolean {
    const flow = this.flow;
    decodeFlow(buf, f.innerPayloadOffset, f.innerOffset + f.innerLength, f.innerEtherType, flow);
    const p = flow.protocol;
    if (p === UDP) {
      return !flow.fragment && this.ports.lookup(flow.srcPort, flow.dstPort) !== undefined;
    }
    if (flow.ipVersion === 6 && (p === IPV6_HOPOPTS || p === IPV6_ROUTE || p === IPV6_FRAG || p === IPV6_OPTS)) {
      decodeFrame(buf, offset, caplen, linkType, this.ports, f);
      return f.nestedVxlan > 0;
    }
    return false;
  }

  /** Fast path: one VXLAN header; `this.flow` already holds the inner flow. */
  private countVxlan(buf: Uint8Array, f: VxlanFrameInfo, wirelen: number, tsMs: number): void {
    const c = this.countVni(f.vni, f, wirelen, tsMs);
    if (c === undefined) {
      return;
    }
    const d = f.innerDstMacOffset;
    if ((buf[d] & 1) === 0) {
      c.unicast++;
    } else if (buf[d] === 0xff && buf[d + 1] === 0xff && buf[d + 2] === 0xff && buf[d + 3] === 0xff && buf[d + 4] === 0xff && buf[d + 5] === 0xff) {
      c.broadcast++;
    } else {
      c.multicast++;
    }
    c.countEthertype(f.innerEtherType);
    const flow = this.flow;
    if (flow.arpOperation === 1) {
      c.arpRequests++;
    } else if (flow.arpOperation === 2) {
      c.arpReplies++;
    }
    if (flow.ipVersion !== 0) {
      c.countProtocol(flow.protocol);
      this.flows.add(buf, f.vni, flow, wirelen, tsMs);
    }
    // IPv4 VTEPs go as int32 (`| 0`, which the tables accept): an address from 128.0.0.0 up is no
    // small integer as a uint32, and passing it to a call V8 does not inline allocates a heap number.
    const vtep = f.outerIpVersion === 4 ? f.outerSrc4 | 0 : formatIpv6(buf, f.outerSrcOffset);
    this.macs.see(f.vni, buf, f.innerSrcMacOffset, vtep, tsMs);
  }

  /** Packets, bytes, sizes, header checks and the VTEP pair of one VXLAN header. */
  private countVni(vni: number, f: { vniValid: boolean; reservedBitsSet: boolean }, wirelen: number, tsMs: number): VniCounters | undefined {
    let c = vni === this.lastVni ? this.lastCounters : this.vniCounters.get(vni);
    if (c === undefined) {
      if (this.vniCounters.size >= this.options.maxVnis) {
        this.vniOverflow++;
        return undefined;
      }
      c = new VniCounters();
      c.firstSeen = tsMs;
      this.vniCounters.add(vni, c);
    }
    this.lastVni = vni;
    this.lastCounters = c;
    c.packets++;
    c.bytes += wirelen;
    c.lastSeen = tsMs;
    c.countSize(wirelen);
    if (!f.vniValid) {
      c.noIFlag++;
    }
    if (f.reservedBitsSet) {
      c.reservedBits++;
    }
    return c;
  }

  /** Slow path: every layer, so each tunnel header in the frame is counted once. */
  private layered(buf: Uint8Array, offset: number, caplen: number, wirelen: number, linkType: number, tsMs: number): void {
    const { layers, error } = decodeLayers(buf, offset, caplen, linkType, this.ports);
    if (error) {
      this.countError(error.layer, error.reason);
    }
    let vxlan = false;
    let gpe = false;
    let gen = false;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i];
      if (l.type === 'vxlan') {
        if (!vxlan) {
          this.addLayerPair(buf, layers, i, l.header.vni, wirelen, tsMs);
        }
        vxlan = true;
        const next = layers[i + 1];
        this.slowFlags.vniValid = l.header.vniValid;
        this.slowFlags.reservedBitsSet = l.header.reservedBitsSet;
        const c = this.countVni(l.header.vni, this.slowFlags, wirelen, tsMs);
        if (c && next?.type === 'ethernet') {
          const et = innerEtherType(layers, i + 1);
          c.countEthertype(et);
        }
      } else if (l.type === 'geneve') {
        gen = true;
        let g = this.geneve.get(l.header.vni);
        if (g === undefined) {
          // Same bound as VXLAN VNIs: garbage on 6081 must not grow the map until the next drain.
          if (this.geneve.size >= this.options.maxVnis) {
            this.vniOverflow++;
            continue;
          }
          g = { packets: 0, bytes: 0 };
          this.geneve.set(l.header.vni, g);
        }
        g.packets++;
        g.bytes += wirelen;
      } else if (l.type === 'vxlan-gpe') {
        gpe = true;
      }
    }
    this.vxlanPackets += vxlan ? 1 : 0;
    this.gpePackets += gpe ? 1 : 0;
    this.genevePackets += gen ? 1 : 0;
    if (!vxlan && !gpe && !gen) {
      this.otherPackets++;
    }
  }

  /**
   * The VTEP pair of the VXLAN header at `i`: the IP and UDP headers right around it, which are not the
   * outermost ones when the VXLAN came in GRE (ERSPAN) or another tunnel.
   */
  private addLayerPair(buf: Uint8Array, layers: DecodedLayer[], i: number, vni: number, wirelen: number, tsMs: number): void {
    const udp = layers[i - 1];
    const ip = layers[i - 2];
    if (udp?.type !== 'udp') {
      return;
    }
    if (ip?.type === 'ipv4') {
      this.pairs.add4(vni, udp.header.dstPort, ip.header.src, ip.header.dst, wirelen, tsMs);
    } else if (ip?.type === 'ipv6') {
      this.pairs.add(vni, udp.header.dstPort, formatIpv6(buf, ip.header.srcOffset), formatIpv6(buf, ip.header.dstOffset), wirelen, tsMs);
    }
  }

  /** A capture-file level error (the reader could not go on), counted with the decode errors. */
  countFileError(layer: string, reason: string): void {
    this.countError(layer, reason);
  }

  private countError(layer: string, reason: string): void {
    let byReason = this.errors.get(layer);
    if (byReason === undefined) {
      byReason = new Map();
      this.errors.set(layer, byReason);
    }
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }

  private addPair(buf: Uint8Array, f: VxlanFrameInfo, wirelen: number, tsMs: number): void {
    if (f.outerIpVersion === 4) {
      this.pairs.add4(f.vni, f.dstPort, f.outerSrc4 | 0, f.outerDst4 | 0, wirelen, tsMs); // int32: see countVxlan()
    } else {
      this.pairs.add(f.vni, f.dstPort, formatIpv6(buf, f.outerSrcOffset), formatIpv6(buf, f.outerDstOffset), wirelen, tsMs);
    }
  }

  /** Returns the counters since the previous drain and starts them afresh. */
  drain(): IngestReport {
    const report: IngestReport = {
      packets: this.packets,
      vxlanPackets: this.vxlanPackets,
      gpePackets: this.gpePackets,
      genevePackets: this.genevePackets,
      otherPackets: this.otherPackets,
      decodeErrors: {},
      vnis: {},
      geneveVnis: Object.fromEntries([...this.geneve].map(([vni, g]) => [String(vni), g])),
      vtepPairs: this.pairs.flush(),
      vniOverflow: this.vniOverflow,
    };
    for (const [layer, byReason] of this.errors) {
      for (const [reason, n] of byReason) {
        report.decodeErrors[`${layer}/${reason}`] = n;
      }
    }
    for (const [vni, c] of this.vniCounters.entries()) {
      report.vnis[String(vni)] = c.report();
    }
    this.packets = this.vxlanPackets = this.gpePackets = this.genevePackets = this.otherPackets = this.vniOverflow = 0;
    this.vniCounters.clear();
    this.lastVni = -2;
    this.lastCounters = undefined;
    this.geneve = new Map();
    this.errors = new Map();
    return report;
  }

  state(topK: number): IngestState {
    return { topFlows: this.flows.top(topK), flowEvictions: this.flows.evictions, flowsTracked: this.flows.size, macEvictions: this.macs.evictions, pairEvictions: this.pairs.evictions };
  }

  drainMacs(): MacSighting[] {
    return this.macs.drainChanged();
  }

  drainPackets(): RecentPacket[] {
    return this.ring?.drain() ?? [];
  }
}

/** EtherType after the inner Ethernet header at `i` and any VLAN tags following it. */
function innerEtherType(layers: DecodedLayer[], i: number): number {
  let j = i;
  while (layers[j + 1]?.type === 'vlan') {
    j++;
  }
  const l = layers[j];
  if (l.type === 'vlan') {
    return l.header.etherType;
  }
  return l.type === 'ethernet' ? l.header.etherType : -1;
}
