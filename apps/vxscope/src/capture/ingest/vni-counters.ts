/** Upper bounds (bytes on the wire) of the frame-size histogram buckets; the last bucket is open. */
export const SIZE_BUCKETS = [64, 128, 256, 512, 1024, 1518, 9018] as const;

/** What one VNI carried since the last drain: plain data, summable across drains and processes. */
export interface VniReport {
  packets: number;
  bytes: number;
  /** Inner destination MAC kinds. */
  broadcast: number;
  multicast: number;
  unicast: number;
  arpRequests: number;
  arpReplies: number;
  /** "0x0800" → packets. */
  innerEthertypes: Record<string, number>;
  /** IP protocol number → packets (inner IPv4 protocol / IPv6 upper-layer header). */
  ipProtocols: Record<string, number>;
  /** Packets per SIZE_BUCKETS bucket, plus one for larger frames. */
  sizes: number[];
  /** RFC 7348 §5 header violations: I flag missing, reserved bits set. */
  noIFlag: number;
  reservedBits: number;
  firstSeen: number;
  lastSeen: number;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_ARP = 0x0806;

/**
 * Mutable per-VNI counters on the hot path. The common inner EtherTypes have fixed counters and IP
 * protocols a 256-slot array, so counting a packet is a few integer adds; other EtherTypes go to a
 * small map. The order EtherTypes were first seen is kept for the report.
 */
export class VniCounters {
  packets = 0;
  bytes = 0;
  broadcast = 0;
  multicast = 0;
  unicast = 0;
  arpRequests = 0;
  arpReplies = 0;
  etIpv4 = 0;
  etIpv6 = 0;
  etArp = 0;
  /** EtherTypes other than IPv4, IPv6 and ARP (or -1: no inner Ethernet). */
  readonly otherEthertypes = new Map<number, number>();
  /** EtherTypes in the order first seen (each once). */
  private readonly ethertypeOrder: number[] = [];
  readonly ipProtocols = new Float64Array(256);
  /** IP protocols in the order first seen (each once). */
  private readonly protocolOrder: number[] = [];
  readonly sizes = new Float64Array(SIZE_BUCKETS.length + 1);
  noIFlag = 0;
  reservedBits = 0;
  firstSeen = 0;
  lastSeen = 0;

  countSize(wirelen: number): void {
    let i = 0;
    while (i < SIZE_BUCKETS.length && wirelen > SIZE_BUCKETS[i]) {
      i++;
    }
    this.sizes[i] += 1;
  }

  countEthertype(et: number): void {
    if (et === ETHERTYPE_IPV4) {
      if (this.etIpv4++ === 0) {
        this.ethertypeOrder.push(et);
      }
    } else if (et === ETHERTYPE_IPV6) {
      if (this.etIpv6++ === 0) {
        this.ethertypeOrder.push(et);
      }
    } else if (et === ETHERTYPE_ARP) {
      if (this.etArp++ === 0) {
        this.ethertypeOrder.push(et);
      }
    } else {
      const n = this.otherEthertypes.get(et);
      if (n === undefined) {
        this.ethertypeOrder.push(et);
      }
      this.otherEthertypes.set(et, (n ?? 0) + 1);
    }
  }

  /** `protocol`: 0..255 (anything else is ignored). */
  countProtocol(protocol: number): void {
    if (protocol >= 0 && protocol < 256 && this.ipProtocols[protocol]++ === 0) {
      this.protocolOrder.push(protocol);
    }
  }

  private ethertypeCount(et: number): number {
    return et === ETHERTYPE_IPV4 ? this.etIpv4 : et === ETHERTYPE_IPV6 ? this.etIpv6 : et === ETHERTYPE_ARP ? this.etArp : (this.otherEthertypes.get(et) ?? 0);
  }

  report(): VniReport {
    const hex = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
    return {
      packets: this.packets,
      bytes: this.bytes,
      broadcast: this.broadcast,
      multicast: this.multicast,
      unicast: this.unicast,
      arpRequests: this.arpRequests,
      arpReplies: this.arpReplies,
      innerEthertypes: Object.fromEntries(this.ethertypeOrder.map((k) => [hex(k), this.ethertypeCount(k)])),
      ipProtocols: Object.fromEntries(this.protocolOrder.map((k) => [String(k), this.ipProtocols[k]])),
      sizes: [...this.sizes],
      noIFlag: this.noIFlag,
      reservedBits: this.reservedBits,
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
    };
  }
}

const sumInto = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const [k, v] of Object.entries(from)) {
    into[k] = (into[k] ?? 0) + v;
  }
};

/** Adds `from` into `into` (both reports of one VNI). */
export function mergeVniReport(into: VniReport, from: VniReport): void {
  into.packets += from.packets;
  into.bytes += from.bytes;
  into.broadcast += from.broadcast;
  into.multicast += from.multicast;
  into.unicast += from.unicast;
  into.arpRequests += from.arpRequests;
  into.arpReplies += from.arpReplies;
  sumInto(into.innerEthertypes, from.innerEthertypes);
  sumInto(into.ipProtocols, from.ipProtocols);
  from.sizes.forEach((v, i) => (into.sizes[i] = (into.sizes[i] ?? 0) + v));
  into.noIFlag += from.noIFlag;
  into.reservedBits += from.reservedBits;
  into.firstSeen = into.firstSeen === 0 ? from.firstSeen : Math.min(into.firstSeen, from.firstSeen);
  into.lastSeen = Math.max(into.lastSeen, from.lastSeen);
}

export function emptyVniReport(): VniReport {
  return new VniCounters().report();
}
