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

/** Mutable per-VNI counters on the hot path; ethertypes and protocols in small maps of numbers. */
export class VniCounters {
  packets = 0;
  bytes = 0;
  broadcast = 0;
  multicast = 0;
  unicast = 0;
  arpRequests = 0;
  arpReplies = 0;
  readonly ethertypes = new Map<number, number>();
  readonly ipProtocols = new Map<number, number>();
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
      innerEthertypes: Object.fromEntries([...this.ethertypes].map(([k, v]) => [hex(k), v])),
      ipProtocols: Object.fromEntries([...this.ipProtocols].map(([k, v]) => [String(k), v])),
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
