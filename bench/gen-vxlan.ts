/**
 * Deterministic (seeded) VXLAN capture generator for the benchmark.
 *
 * Writes a classic pcap file (µs timestamps, LINKTYPE_ETHERNET) straight into one preallocated
 * Buffer: no per-packet allocation, no streams. The traffic model:
 * - 64 VNIs with a Zipf-like skew (weight 1/rank), 16 VTEPs (outer IPv4; UDP dst 4789, and 8472 for
 *   4 of the 16 destination VTEPs), ~10 k inner endpoints, each living in one VNI behind one VTEP;
 * - inner frames: TCP, UDP, ICMP echo, ARP request/reply, IPv6 (TCP, UDP, ICMPv6 echo and neighbour
 *   solicitations to multicast); some 802.1Q-tagged inner frames; broadcast (ARP requests, UDP to
 *   255.255.255.255) and multicast (IPv6 NS) inner frames;
 * - flows: 20 % of L3 packets belong to 4096 heavy flows (Zipf), 15 % repeat one of the last 256 new
 *   flows, 65 % start a new flow, so 2 M packets carry > 1 M distinct inner flows. The generator
 *   counts distinct inner 5-tuples exactly (open-addressing table), so the figure is measured.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface GenerateOptions {
  readonly packets: number;
  readonly seed: number;
  /** Bytes kept of each frame (pcap snaplen); 0 keeps whole frames. */
  readonly snaplen: number;
  /** Largest inner L4 payload (bytes). Live replay uses small frames. */
  readonly maxPayload: number;
  /** Outer IPv4 source / destination of VTEP i (16 entries each), as dotted quads. */
  readonly vtepSrc: readonly string[];
  readonly vtepDst: readonly string[];
  /** Outer MACs; by default one locally administered MAC per VTEP. */
  readonly outerSrcMac?: string;
  readonly outerDstMac?: string;
  /** Also write the first N packets to `sliceFile`. */
  readonly sliceFile?: string;
  readonly slicePackets?: number;
}

export interface GenerateResult {
  readonly packets: number;
  readonly bytes: number;
  readonly sliceBytes: number;
  readonly distinctFlows: number;
  readonly vnis: readonly number[];
  /** Expected per-VNI packet counts (index as `vnis`). */
  readonly perVni: readonly number[];
  readonly byKind: Readonly<Record<string, number>>;
  readonly vlanTagged: number;
  readonly broadcast: number;
  readonly multicast: number;
  readonly port8472: number;
  readonly endpoints: number;
  readonly seconds: number;
}

export const VNI_COUNT = 64;
export const VTEP_COUNT = 16;
const ENDPOINTS = 10_000;
const HEAVY_FLOWS = 4096;
const RECENT = 256;

const K_TCP4 = 0;
const K_UDP4 = 1;
const K_ICMP4 = 2;
const K_ARP = 3;
const K_TCP6 = 4;
const K_UDP6 = 5;
const K_ICMP6 = 6;
const K_NS6 = 7;
const KIND_NAMES = ['ipv4/tcp', 'ipv4/udp', 'ipv4/icmp', 'arp', 'ipv6/tcp', 'ipv6/udp', 'ipv6/icmpv6-echo', 'ipv6/icmpv6-ns'];
/** Per mille of packets per kind (sum 1000). */
const KIND_MIX = [480, 220, 60, 50, 100, 50, 25, 15];

/** VXLAN, VXLAN-GPE, GENEVE, Linux VXLAN: never used as inner ports. */
const TUNNEL_PORTS = [4789, 4790, 6081, 8472];
const HEAVY_KINDS = [K_TCP4, K_TCP4, K_UDP4, K_TCP6, K_UDP4, K_ICMP4, K_TCP4, K_UDP6];
const TCP_PORTS = [80, 443, 8080, 5432, 6379, 9092, 22, 3306];
const UDP_PORTS = [53, 123, 5353, 514, 161, 8125, 443, 4500];

/** Zipf-like sampling table: `size` slots filled proportionally to weight 1/(rank+1)^s. */
function zipfTable(n: number, s: number, size: number): Uint16Array {
  const w = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
  const total = w.reduce((a, b) => a + b, 0);
  const table = new Uint16Array(size);
  let slot = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += w[i] / total;
    const end = i === n - 1 ? size : Math.round(acc * size);
    for (; slot < end; slot++) {
      table[slot] = i;
    }
  }
  return table;
}

function ipv4(s: string): number {
  const p = s.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) {
    throw new Error(`bad IPv4 address ${s}`);
  }
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

function mac(s: string): number[] {
  const p = s.split(':').map((x) => parseInt(x, 16));
  if (p.length !== 6 || p.some((x) => !(x >= 0 && x <= 255))) {
    throw new Error(`bad MAC ${s}`);
  }
  return p;
}

/** 32-bit integer mix (lowbias32). */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export function generateCapture(file: string, o: GenerateOptions): GenerateResult {
  const t0 = process.hrtime.bigint();
  const n = o.packets;
  let rng = o.seed >>> 0 || 1;
  const rnd = (): number => {
    rng ^= rng << 13;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    return rng >>> 0;
  };

  // VNIs: 64 values, skewed by rank.
  const vnis = Array.from({ length: VNI_COUNT }, (_, i) => 100 + i * 263);
  const vniTable = zipfTable(VNI_COUNT, 1.0, 1 << 14);
  // Endpoints: split across VNIs by the same skew (at least 24 per VNI), each behind one VTEP.
  const vniWeight = Array.from({ length: VNI_COUNT }, (_, i) => 1 / (i + 1));
  const wsum = vniWeight.reduce((a, b) => a + b, 0);
  const epCount = vniWeight.map((w) => Math.max(24, Math.floor((w / wsum) * ENDPOINTS)));
  const epStart: number[] = [];
  let endpoints = 0;
  for (const c of epCount) {
    epStart.push(endpoints);
    endpoints += c;
  }
  const epVtep = new Uint8Array(endpoints);
  const epVni = new Uint8Array(endpoints);
  for (let v = 0; v < VNI_COUNT; v++) {
    for (let e = epStart[v]; e < epStart[v] + epCount[v]; e++) {
      epVni[e] = v;
      epVtep[e] = mix(e * 7 + 1) % VTEP_COUNT;
    }
  }
  const heavyTable = zipfTable(HEAVY_FLOWS, 0.9, 1 << 16);
  const kindTable = new Uint8Array(1000);
  {
    let k = 0;
    let acc = 0;
    for (let i = 0; i < KIND_MIX.length; i++) {
      acc += KIND_MIX[i];
      for (; k < acc; k++) {
        kindTable[k] = i;
      }
    }
  }
  const vtepSrc = o.vtepSrc.map(ipv4);
  const vtepDst = o.vtepDst.map(ipv4);
  if (vtepSrc.length !== VTEP_COUNT || vtepDst.length !== VTEP_COUNT) {
    throw new Error(`need ${VTEP_COUNT} VTEP addresses`);
  }
  const srcMac = o.outerSrcMac !== undefined ? mac(o.outerSrcMac) : undefined;
  const dstMac = o.outerDstMac !== undefined ? mac(o.outerDstMac) : undefined;

  // Largest frame: outer 50 + inner Eth 18 + IPv6 40 + TCP 20 + payload.
  const maxFrame = 50 + 18 + 40 + 20 + o.maxPayload;
  const maxRecord = 16 + (o.snaplen > 0 ? Math.min(o.snaplen, maxFrame) : maxFrame);
  // Slack: a truncated record's headers are written in full, past its end (the next record overwrites them).
  const buf = Buffer.alloc(24 + n * maxRecord + 256);
  // pcap global header: magic, 2.4, thiszone 0, sigfigs 0, snaplen, LINKTYPE_ETHERNET.
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(o.snaplen > 0 ? o.snaplen : 65535, 16);
  buf.writeUInt32LE(1, 20);

  // Exact distinct-flow count: key (kind, src endpoint, dst endpoint, ports/id) in open addressing.
  let cap = 1;
  while (cap < n * 2) {
    cap <<= 1;
  }
  const keyA = new Uint32Array(cap);
  const keyB = new Uint32Array(cap);
  const mask = cap - 1;
  let distinct = 0;
  const addFlow = (a: number, b: number): void => {
    let h = mix(a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const ka = keyA[h];
      if (ka === 0) {
        keyA[h] = a;
        keyB[h] = b;
        distinct++;
        return;
      }
      if (ka === a && keyB[h] === b) {
        return;
      }
      h = (h + 1) & mask;
    }
  };

  const recentVni = new Uint8Array(RECENT);
  const recentKind = new Uint8Array(RECENT);
  const recentF = new Uint32Array(RECENT);
  let recentN = 0;
  let fresh = 0;
  const perVni = new Array<number>(VNI_COUNT).fill(0);
  const byKind = new Array<number>(KIND_MIX.length).fill(0);
  let vlanTagged = 0;
  let broadcast = 0;
  let multicast = 0;
  let port8472 = 0;
  let tsSec = 1_700_000_000;
  let tsUsec = 0;
  let ipId = 1;
  let sliceBytes = 0;
  const slicePackets = o.slicePackets ?? 0;

  let off = 24;
  for (let i = 0; i < n; i++) {
    if (i === slicePackets) {
      sliceBytes = off;
    }
    const r = rnd();
    let kind = kindTable[r % 1000];
    let v: number;
    let f: number;
    let heavy = false;
    if (kind === K_ARP || kind === K_NS6) {
      // Neighbour discovery: not a flow; any endpoint pair of a VNI.
      v = vniTable[rnd() & 0x3fff];
      f = rnd() & 0xffffff;
    } else {
      const c = (r >>> 10) % 100;
      if (c < 20) {
        heavy = true;
        const h = heavyTable[rnd() & 0xffff];
        f = h;
        v = vniTable[mix(h + 12345) & 0x3fff];
        kind = HEAVY_KINDS[h & 7];
      } else if (c < 35 && recentN > 0) {
        const j = rnd() % Math.min(recentN, RECENT);
        v = recentVni[j];
        kind = recentKind[j];
        f = recentF[j];
      } else {
        v = vniTable[rnd() & 0x3fff];
        f = fresh++;
        const j = recentN++ % RECENT;
        recentVni[j] = v;
        recentKind[j] = kind;
        recentF[j] = f;
      }
    }
    const cnt = epCount[v];
    // Source endpoint and source port together are injective in f for f < 59000 * cnt.
    let sIdx: number;
    let sport: number;
    if (heavy) {
      sIdx = mix(f + 777) % cnt;
      sport = 61000 + f;
    } else {
      const lo = f % 59000;
      sIdx = (Math.floor(f / 59000) + mix(lo)) % cnt;
      sport = 1024 + lo;
      // Inner UDP on a tunnel port would be read as a tunnel in the tunnel: move those to unused ports.
      const t = TUNNEL_PORTS.indexOf(sport);
      if (t >= 0) {
        sport = 60024 + t;
      }
    }
    const dIdx = (sIdx + 1 + (mix(f ^ 0x5bd1e995) % (cnt - 1))) % cnt;
    const se = epStart[v] + sIdx;
    const de = epStart[v] + dIdx;
    const hf = mix(f * 31 + kind);
    const dport = kind === K_UDP4 || kind === K_UDP6 ? UDP_PORTS[hf & 7] : TCP_PORTS[hf & 7];
    const vni = vnis[v];
    perVni[v]++;
    byKind[kind]++;

    // Inner frame layout decisions.
    const tagged = (rnd() & 15) === 0; // ~6 %
    let bcast = false;
    let mcast = false;
    let payload = 0;
    const pr = rnd();
    switch (kind) {
      case K_TCP4:
      case K_TCP6: {
        const b = pr % 10;
        payload = b < 5 ? 0 : b < 8 ? 1 + ((pr >>> 8) % 200) : 1000 + ((pr >>> 8) % 400);
        break;
      }
      case K_UDP4:
      case K_UDP6:
        payload = 8 + ((pr >>> 8) % 300);
        bcast = kind === K_UDP4 && (pr & 0x3f) === 0;
        break;
      case K_ICMP4:
      case K_ICMP6:
        payload = 56;
        break;
      case K_ARP:
        bcast = (pr & 1) === 0; // requests broadcast, replies unicast
        break;
      case K_NS6:
        mcast = true;
        break;
    }
    if (payload > o.maxPayload) {
      payload = o.maxPayload;
    }
    if (bcast) {
      broadcast++;
    }
    if (mcast) {
      multicast++;
    }
    if (tagged) {
      vlanTagged++;
    }

    const v4 = kind <= K_ARP;
    const l4 = kind === K_TCP4 || kind === K_TCP6 ? 20 : kind === K_ARP ? 0 : 8;
    const l3 = kind === K_ARP ? 28 : v4 ? 20 : 40;
    const nsExtra = kind === K_NS6 ? 16 + 8 : 0; // NS: reserved (already in 8) + target + option
    let innerLen = 14 + (tagged ? 4 : 0) + l3 + l4 + payload + nsExtra;
    if (innerLen < 60) {
      innerLen = 60;
    }
    const wire = 50 + innerLen;
    const caplen = o.snaplen > 0 && wire > o.snaplen ? o.snaplen : wire;
    const end = off + 16 + caplen; // writes past `end` are harmless: the next record overwrites them

    // Record header.
    tsUsec += 1 + (pr & 3);
    if (tsUsec >= 1_000_000) {
      tsUsec -= 1_000_000;
      tsSec++;
    }
    buf.writeUInt32LE(tsSec, off);
    buf.writeUInt32LE(tsUsec, off + 4);
    buf.writeUInt32LE(caplen, off + 8);
    buf.writeUInt32LE(wire, off + 12);
    let p = off + 16;

    // Outer Ethernet.
    const sv = epVtep[se];
    let dv = epVtep[de];
    if (dv === sv) {
      dv = (dv + 1) % VTEP_COUNT;
    }
    if (dstMac !== undefined) {
      for (let k = 0; k < 6; k++) {
        buf[p + k] = dstMac[k];
      }
    } else {
      buf[p] = 0x02;
      buf[p + 1] = 0x76;
      buf[p + 2] = 0x74;
      buf[p + 3] = 0x65;
      buf[p + 4] = 0x70;
      buf[p + 5] = dv;
    }
    if (srcMac !== undefined) {
      for (let k = 0; k < 6; k++) {
        buf[p + 6 + k] = srcMac[k];
      }
    } else {
      buf[p + 6] = 0x02;
      buf[p + 7] = 0x76;
      buf[p + 8] = 0x74;
      buf[p + 9] = 0x65;
      buf[p + 10] = 0x70;
      buf[p + 11] = sv;
    }
    buf[p + 12] = 0x08;
    buf[p + 13] = 0x00;
    p += 14;
    // Outer IPv4.
    const ipStart = p;
    buf[p] = 0x45;
    buf[p + 1] = 0;
    buf.writeUInt16BE(wire - 14, p + 2);
    buf.writeUInt16BE(ipId, p + 4);
    ipId = (ipId + 1) & 0xffff;
    buf[p + 6] = 0x40;
    buf[p + 7] = 0;
    buf[p + 8] = 64;
    buf[p + 9] = 17;
    buf[p + 10] = 0;
    buf[p + 11] = 0;
    buf.writeUInt32BE(vtepSrc[sv], p + 12);
    buf.writeUInt32BE(vtepDst[dv], p + 16);
    let sum = 0;
    for (let k = 0; k < 20; k += 2) {
      sum += (buf[ipStart + k] << 8) | buf[ipStart + k + 1];
    }
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    buf.writeUInt16BE(~sum & 0xffff, ipStart + 10);
    p += 20;
    // Outer UDP: source port from the inner flow hash (as the kernel does), checksum 0.
    const udpDst = dv >= 12 ? 8472 : 4789;
    if (udpDst === 8472) {
      port8472++;
    }
    buf.writeUInt16BE(32768 + (mix(f ^ (se << 8)) % 28000), p);
    buf.writeUInt16BE(udpDst, p + 2);
    buf.writeUInt16BE(wire - 34, p + 4);
    buf[p + 6] = 0;
    buf[p + 7] = 0;
    p += 8;
    // VXLAN: I flag, VNI.
    buf[p] = 0x08;
    buf[p + 1] = 0;
    buf[p + 2] = 0;
    buf[p + 3] = 0;
    buf[p + 4] = (vni >>> 16) & 0xff;
    buf[p + 5] = (vni >>> 8) & 0xff;
    buf[p + 6] = vni & 0xff;
    buf[p + 7] = 0;
    p += 8;

    // Inner Ethernet. Endpoint MAC 02:00:vv:ee:ee:01.
    if (bcast) {
      buf.fill(0xff, p, p + 6);
    } else if (mcast) {
      buf[p] = 0x33;
      buf[p + 1] = 0x33;
      buf[p + 2] = 0xff;
      buf[p + 3] = v;
      buf[p + 4] = (de >>> 8) & 0xff;
      buf[p + 5] = de & 0xff;
    } else {
      buf[p] = 0x02;
      buf[p + 1] = 0;
      buf[p + 2] = v;
      buf[p + 3] = (de >>> 8) & 0xff;
      buf[p + 4] = de & 0xff;
      buf[p + 5] = 1;
    }
    buf[p + 6] = 0x02;
    buf[p + 7] = 0;
    buf[p + 8] = v;
    buf[p + 9] = (se >>> 8) & 0xff;
    buf[p + 10] = se & 0xff;
    buf[p + 11] = 1;
    p += 12;
    if (tagged) {
      buf[p] = 0x81;
      buf[p + 1] = 0x00;
      buf.writeUInt16BE(100 + v, p + 2);
      p += 4;
    }
    const et = kind === K_ARP ? 0x0806 : v4 ? 0x0800 : 0x86dd;
    buf.writeUInt16BE(et, p);
    p += 2;
    // Inner addresses: IPv4 10.v.hi.lo, IPv6 fd00:0:0:v::hi:lo.
    const sIp4 = ((10 << 24) | (v << 16) | ((se >>> 8) << 8) | (se & 0xff)) >>> 0;
    const dIp4 = bcast ? 0xffffffff : ((10 << 24) | (v << 16) | ((de >>> 8) << 8) | (de & 0xff)) >>> 0;
    let proto = 0;
    if (kind === K_ARP) {
      buf.writeUInt16BE(1, p);
      buf.writeUInt16BE(0x0800, p + 2);
      buf[p + 4] = 6;
      buf[p + 5] = 4;
      buf.writeUInt16BE(bcast ? 1 : 2, p + 6);
      buf[p + 8] = 0x02;
      buf[p + 9] = 0;
      buf[p + 10] = v;
      buf[p + 11] = (se >>> 8) & 0xff;
      buf[p + 12] = se & 0xff;
      buf[p + 13] = 1;
      buf.writeUInt32BE(sIp4, p + 14);
      if (bcast) {
        buf.fill(0, p + 18, p + 24);
      } else {
        buf[p + 18] = 0x02;
        buf[p + 19] = 0;
        buf[p + 20] = v;
        buf[p + 21] = (de >>> 8) & 0xff;
        buf[p + 22] = de & 0xff;
        buf[p + 23] = 1;
      }
      buf.writeUInt32BE(((10 << 24) | (v << 16) | ((de >>> 8) << 8) | (de & 0xff)) >>> 0, p + 24);
      p += 28;
    } else if (v4) {
      proto = kind === K_TCP4 ? 6 : kind === K_UDP4 ? 17 : 1;
      buf[p] = 0x45;
      buf[p + 1] = 0;
      buf.writeUInt16BE(20 + l4 + payload, p + 2);
      buf.writeUInt16BE((i * 7) & 0xffff, p + 4);
      buf[p + 6] = 0x40;
      buf[p + 7] = 0;
      buf[p + 8] = 64;
      buf[p + 9] = proto;
      buf[p + 10] = 0;
      buf[p + 11] = 0;
      buf.writeUInt32BE(sIp4, p + 12);
      buf.writeUInt32BE(dIp4, p + 16);
      p += 20;
    } else {
      proto = kind === K_TCP6 ? 6 : kind === K_UDP6 ? 17 : 58;
      buf[p] = 0x60;
      buf[p + 1] = 0;
      buf[p + 2] = 0;
      buf[p + 3] = 0;
      buf.writeUInt16BE(l4 + payload + nsExtra, p + 4);
      buf[p + 6] = proto;
      buf[p + 7] = mcast ? 255 : 64;
      // src fd00::/16 + VNI + endpoint
      buf.fill(0, p + 8, p + 40);
      buf[p + 8] = 0xfd;
      buf[p + 15] = v;
      buf[p + 22] = (se >>> 8) & 0xff;
      buf[p + 23] = se & 0xff;
      if (mcast) {
        // solicited-node multicast ff02::1:ffXX:XXXX
        buf[p + 24] = 0xff;
        buf[p + 25] = 0x02;
        buf[p + 35] = 0x01;
        buf[p + 36] = 0xff;
        buf[p + 37] = v;
        buf[p + 38] = (de >>> 8) & 0xff;
        buf[p + 39] = de & 0xff;
      } else {
        buf[p + 24] = 0xfd;
        buf[p + 31] = v;
        buf[p + 38] = (de >>> 8) & 0xff;
        buf[p + 39] = de & 0xff;
      }
      p += 40;
    }
    if (proto === 6) {
      buf.writeUInt16BE(sport, p);
      buf.writeUInt16BE(dport, p + 2);
      buf.writeUInt32BE(mix(f + i), p + 4);
      buf.writeUInt32BE(mix(f), p + 8);
      buf[p + 12] = 0x50;
      buf[p + 13] = payload === 0 ? ((pr & 0x30) === 0 ? 0x02 : 0x10) : 0x18; // SYN / ACK / PSH+ACK
      buf.writeUInt16BE(64240, p + 14);
      buf[p + 16] = 0;
      buf[p + 17] = 0;
      buf[p + 18] = 0;
      buf[p + 19] = 0;
      p += 20;
      addFlow(((kind << 28) | (se << 14) | de) >>> 0 || 1, ((sport << 16) | dport) >>> 0);
    } else if (proto === 17) {
      const sp = bcast ? 68 : sport;
      const dp = bcast ? 67 : dport;
      buf.writeUInt16BE(sp, p);
      buf.writeUInt16BE(dp, p + 2);
      buf.writeUInt16BE(8 + payload, p + 4);
      // IPv4 may leave the checksum out (0); IPv6 may not, so write a (not verified) non-zero value.
      buf[p + 6] = v4 ? 0 : 0xbe;
      buf[p + 7] = v4 ? 0 : 0xef;
      p += 8;
      addFlow(((kind << 28) | (se << 14) | (bcast ? 0x3fff : de)) >>> 0 || 1, ((sp << 16) | dp) >>> 0);
    } else if (proto === 1 || proto === 58) {
      const echoId = sport;
      buf[p] = proto === 1 ? 8 : kind === K_NS6 ? 135 : 128;
      buf[p + 1] = 0;
      buf[p + 2] = 0;
      buf[p + 3] = 0;
      buf.writeUInt16BE(echoId, p + 4);
      buf.writeUInt16BE(i & 0xffff, p + 6);
      if (kind === K_NS6) {
        // reserved (4 bytes, already written as id/seq: clear), target address, source LL option
        buf.fill(0, p + 4, p + 8);
        buf.fill(0, p + 8, p + 24);
        buf[p + 8] = 0xfd;
        buf[p + 15] = v;
        buf[p + 22] = (de >>> 8) & 0xff;
        buf[p + 23] = de & 0xff;
        buf[p + 24] = 1;
        buf[p + 25] = 1;
        buf[p + 26] = 0x02;
        buf[p + 27] = 0;
        buf[p + 28] = v;
        buf[p + 29] = (se >>> 8) & 0xff;
        buf[p + 30] = se & 0xff;
        buf[p + 31] = 1;
      } else {
        addFlow(((kind << 28) | (se << 14) | de) >>> 0 || 1, echoId >>> 0);
      }
      p += 8 + nsExtra;
    }
    // Payload (and Ethernet padding) stays zero from Buffer.alloc, except where a longer previous
    // record left bytes: clear what this record keeps.
    if (p < end) {
      buf.fill(0, p, end);
    }
    off = end;
  }
  if (slicePackets >= n) {
    sliceBytes = off;
  }

  const fd = openSync(file, 'w');
  try {
    writeSync(fd, buf, 0, off);
  } finally {
    closeSync(fd);
  }
  if (o.sliceFile !== undefined && slicePackets > 0) {
    const sfd = openSync(o.sliceFile, 'w');
    try {
      writeSync(sfd, buf, 0, sliceBytes);
    } finally {
      closeSync(sfd);
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    packets: n,
    bytes: off,
    sliceBytes,
    distinctFlows: distinct,
    vnis,
    perVni,
    byKind: Object.fromEntries(KIND_NAMES.map((k, i) => [k, byKind[i]])),
    vlanTagged,
    broadcast,
    multicast,
    port8472,
    endpoints,
    seconds,
  };
}
