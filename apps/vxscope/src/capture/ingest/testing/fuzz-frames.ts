// Test support, never imported by production code: a seeded frame fuzzer for `Ingest`, shared by
// ingest.fuzz.spec.ts (CI, ~1 M frames) and scripts/fuzz.ts (long runs, ≥ 10 M frames).
//
// Frames come from a corpus of well-formed templates built once with the test encoders of libs/wire
// (VXLAN on 4789/8472, VXLAN-GPE on 4790, GENEVE on 6081, nested up to MAX_DEPTH tunnels, some of them
// inside an outermost GRE tunnel (IP in GRE, NVGRE, ERSPAN Type I/II/III), IPv4/IPv6 outer and inner,
// 802.1Q/802.1ad tags, Ethernet/SLL/SLL2 link headers, GSO/BIG TCP length 0). Each
// template records where its layers start and where its length, type, port and VNI fields are, so a
// frame is made by copying a template into the reused capture buffer and mutating it in place, with
// no allocation: the time goes to the code under test, not to building frames.
import { decodeLayers, PortRegistry } from '@vx/wire';

import {
  concat,
  defaultInnerPayload,
  encodeErspanII,
  encodeErspanIII,
  encodeEthernet,
  encodeGreHeader,
  encodeIp,
  encodeSll,
  encodeSll2,
  encodeUdpPacket,
  encodeVxlanHeader,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
} from '../../../../../../libs/wire/test/support/encode';
import { Ingest, type IngestOptions, type IngestReport } from '../ingest';

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 32-bit, seedable, no allocation. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(readonly seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = seed >>> 0;
    for (let i = 0; i < 16; i++) {
      this.u32();
    }
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** 0 ≤ n < max ≤ 2^32. Plain arithmetic: globals such as `Math` are slow inside jest's vm context. */
  int(max: number): number {
    return ((this.u32() / 0x100000000) * max) >>> 0;
  }

  chance(p: number): boolean {
    return this.u32() < p * 0x100000000;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    this.fill(out, 0, n);
    return out;
  }

  fill(buf: Uint8Array, from: number, to: number): void {
    let i = from;
    while (i < to) {
      let r = this.u32();
      for (let k = 0; k < 4 && i < to; k++, r >>>= 8) {
        buf[i++] = r & 0xff;
      }
    }
  }
}

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;
/** Link types libs/wire does not decode (and some that do not exist). */
const GARBAGE_LINK_TYPES = [0, 2, 12, 101, 105, 127, 228, 0xffff, 0x7fffffff];

/** Tunnel headers per template, at most. */
export const MAX_DEPTH = 10;
/** VNIs drawn from a pool larger than the configured maxVnis (overflow and eviction paths), or any 24-bit value. */
const VNI_POOL = 200;

type Tunnel = 'vxlan' | 'vxlan-gpe' | 'geneve';

/** One well-formed frame and the offsets of the fields worth mutating. */
export interface Template {
  readonly bytes: Uint8Array;
  readonly linkType: number;
  /** Tunnel headers, outermost first. */
  readonly tunnels: readonly Tunnel[];
  /** Where each header starts (link, tags, IP, UDP, tunnel, inner Ethernet...). */
  readonly boundaries: readonly number[];
  /** 16-bit length fields: IPv4 Total Length, IPv6 Payload Length, UDP Length. */
  readonly length16: readonly number[];
  /** Bytes holding lengths or versions: IPv4 version/IHL, GENEVE Ver/Opt Len, GENEVE option Length. */
  readonly length8: readonly number[];
  /** EtherType fields (Ethernet, tags, SLL/SLL2 protocol, GENEVE Protocol Type). */
  readonly types: readonly number[];
  /** UDP source and destination port fields. */
  readonly ports: readonly number[];
  /** 24-bit VNI fields of every tunnel header. */
  readonly vnis: readonly number[];
}

/** A layer in the making: bytes plus field offsets relative to `bytes[0]`. */
interface Part {
  bytes: Uint8Array;
  /** What `bytes` is: an Ethernet frame, or an IP packet with this EtherType, or other payload. */
  etherType: number | 'ethernet';
  boundaries: number[];
  length16: number[];
  length8: number[];
  types: number[];
  ports: number[];
  vnis: number[];
}

/** `outer` = header bytes + part.bytes: shifts the part's offsets by the header length. */
function prepend(part: Part, bytes: Uint8Array, etherType: Part['etherType']): Part {
  const shift = bytes.length - part.bytes.length;
  const s = (xs: number[]): number[] => xs.map((x) => x + shift);
  return {
    bytes,
    etherType,
    boundaries: [0, ...s(part.boundaries)],
    length16: s(part.length16),
    length8: s(part.length8),
    types: s(part.types),
    ports: s(part.ports),
    vnis: s(part.vnis),
  };
}

function leaf(bytes: Uint8Array, etherType: Part['etherType']): Part {
  return { bytes, etherType, boundaries: [0], length16: [], length8: [], types: [], ports: [], vnis: [] };
}

const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_TEB = 0x6558;
const GRE_PROTOCOL_ERSPAN = 0x88be;
const GRE_PROTOCOL_ERSPAN_III = 0x22eb;
const VLAN_TPIDS = [0x8100, 0x88a8];

/** Mutation kinds, one bit each in `FuzzFrame.mutations`. */
const M = {
  randomBytes: 1 << 0,
  bitflip: 1 << 1,
  length16: 1 << 2,
  length8: 1 << 3,
  truncate: 1 << 4,
  port: 1 << 5,
  ethertype: 1 << 6,
  randomTail: 1 << 7,
  linkType: 1 << 8,
  wirelen: 1 << 9,
} as const;
export type MutationName = keyof typeof M;
export const MUTATION_NAMES = Object.keys(M) as MutationName[];

export function mutationNames(mutations: number): string {
  return mutations === 0 ? 'none' : MUTATION_NAMES.filter((k) => (mutations & M[k]) !== 0).join('+');
}

export class FrameFuzzer {
  readonly prng: Prng;
  readonly templates: Template[] = [];

  constructor(seed: number, templates = 1024) {
    this.prng = new Prng(seed);
    for (let i = 0; i < templates; i++) {
      this.templates.push(this.template());
    }
  }

  vni(): number {
    const r = this.prng;
    return r.chance(0.9) ? r.int(VNI_POOL) : r.int(0x1000000);
  }

  /** An IPv4 or IPv6 address pair from a small set, so VTEP pairs and flows repeat. */
  private addresses(v6: boolean): [string, string] {
    const r = this.prng;
    return v6
      ? [`fd00::${r.int(8) + 1}`, `fd00::${r.int(8) + 0x10}`]
      : [`10.0.${r.int(4)}.${r.int(8) + 1}`, `10.1.${r.int(4)}.${r.int(8) + 1}`];
  }

  /** The innermost payload: an IP packet (UDP, TCP or ICMPv6), an ARP message or opaque bytes. */
  private innermost(): Part {
    const r = this.prng;
    switch (r.int(6)) {
      case 0:
      case 1:
        return leaf(defaultInnerPayload(ETHERTYPE_IPV4), ETHERTYPE_IPV4);
      case 2:
        return leaf(defaultInnerPayload(ETHERTYPE_IPV6), ETHERTYPE_IPV6);
      case 3: {
        const [src, dst] = this.addresses(false);
        // TCP with a 20-byte header; the checksum is left 0 (nothing on the capture path checks it).
        const tcp = concat(
          Uint8Array.of(0x30, 0x39, 0x00, 0x50),
          r.bytes(8),
          Uint8Array.of(0x50, 0x12, 0xff, 0xff, 0, 0, 0, 0),
        );
        return leaf(encodeIp({ src, dst, protocol: 6, payload: tcp }), ETHERTYPE_IPV4);
      }
      case 4: {
        const arp = concat(Uint8Array.of(0, 1, 8, 0, 6, 4, 0, r.int(3)), r.bytes(20));
        return leaf(arp, ETHERTYPE_ARP);
      }
      default:
        return leaf(r.bytes(r.int(64)), r.pick([0x88cc, 0x8847, 0x0000, 0x05dc, 0xffff]));
    }
  }

  /** Wraps an IP packet (or other payload) in Ethernet with 0–2 tags. */
  private ethernet(part: Part): Part {
    const r = this.prng;
    const etherType = part.etherType === 'ethernet' ? ETHERTYPE_TEB : part.etherType;
    const vlans = r.chance(0.15) ? Array.from({ length: 1 + r.int(2) }, () => r.int(4096)) : [];
    const bytes = encodeEthernet({
      dst: r.chance(0.1)
        ? 'ff:ff:ff:ff:ff:ff'
        : r.chance(0.1)
          ? '01:00:5e:00:00:01'
          : `02:00:00:00:${r.int(4)}:${r.int(16).toString(16)}`,
      src: `02:00:00:00:0${r.int(4)}:${r.int(64).toString(16)}`,
      vlans,
      tpid: r.pick(VLAN_TPIDS),
      etherType,
      payload: part.bytes,
    });
    const out = prepend(part, bytes, 'ethernet');
    out.boundaries.push(...vlans.map((_, i) => 14 + 4 * i));
    out.types.push(12, ...vlans.map((_, i) => 16 + 4 * i));
    return out;
  }

  /** One tunnel header in UDP in IP around `part`. */
  private tunnel(part: Part, kind: Tunnel, outermost: boolean): Part {
    const r = this.prng;
    let inner = part;
    let header: Uint8Array;
    let dstPort: number;
    let srcPort = 49152 + r.int(16384);
    if (kind === 'vxlan') {
      if (inner.etherType !== 'ethernet') {
        inner = this.ethernet(inner);
      }
      const flags = r.chance(0.85) ? 0x08 : r.pick([0x00, 0x88, 0x0c, 0xff]);
      header = encodeVxlanHeader(0, flags, r.chance(0.9) ? 0 : r.int(0x1000000), r.chance(0.95) ? 0 : r.int(256));
      dstPort = r.pick([4789, 4789, 4789, 8472]);
      if (r.chance(0.1)) {
        // From the VXLAN port to a port that is not a known one.
        srcPort = dstPort;
        dstPort = 1024 + r.int(3000);
      }
    } else if (kind === 'vxlan-gpe') {
      const raw = inner.etherType === ETHERTYPE_IPV4 || inner.etherType === ETHERTYPE_IPV6;
      if (!raw && inner.etherType !== 'ethernet') {
        inner = this.ethernet(inner);
      }
      // Next Protocol: IPv4, IPv6, Ethernet, or NSH (not decoded: only around the innermost payload).
      const nsh = inner.vnis.length === 0 && r.chance(0.1);
      const next = nsh ? 4 : raw && r.chance(0.7) ? (inner.etherType === ETHERTYPE_IPV4 ? 1 : 2) : 3;
      if (next === 3 && inner.etherType !== 'ethernet') {
        inner = this.ethernet(inner);
      }
      // I and P set (B or O sometimes); version 0.
      header = encodeVxlanHeader(0, r.chance(0.8) ? 0x0c : r.pick([0x04, 0x0e, 0x0d]), next);
      dstPort = 4790;
    } else {
      const options = r.chance(0.5)
        ? new Uint8Array(0)
        : concat(...Array.from({ length: 1 + r.int(3) }, () => geneveOption(r)));
      const protocolType = inner.etherType === 'ethernet' ? ETHERTYPE_TEB : inner.etherType;
      header = concat(
        Uint8Array.of(
          options.length >> 2,
          r.chance(0.1) ? 0x80 : 0,
          protocolType >> 8,
          protocolType & 0xff,
          0,
          0,
          0,
          0,
        ),
        options,
      );
      dstPort = 6081;
    }
    const v6 = r.chance(0.25);
    const [src, dst] = this.addresses(v6);
    const gso = outermost && r.chance(0.05);
    const packet = encodeUdpPacket({
      src,
      dst,
      srcPort,
      dstPort,
      payload: concat(header, inner.bytes),
      lengthField: gso ? 0 : undefined,
      ipLengthField: gso ? 0 : undefined,
    });
    const ip = 0;
    const udp = v6 ? 40 : 20;
    const t = udp + 8;
    const out = prepend(inner, packet, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
    out.boundaries.push(udp, t);
    out.length16.push(v6 ? ip + 4 : ip + 2, udp + 4);
    if (!v6) {
      out.length8.push(ip);
    }
    out.ports.push(udp, udp + 2);
    out.vnis.push(t + 4);
    if (kind === 'geneve') {
      out.length8.push(t);
      out.types.push(t + 2);
      for (let o = t + 8; o < t + 8 + (header[0] << 2); o += 4 + ((header[o - t + 3] & 0x1f) << 2)) {
        out.length8.push(o + 3);
      }
    }
    return out;
  }

  /**
   * GRE in IP around `part` (an IP packet): IP in GRE, NVGRE, or ERSPAN Type I, II or III mirroring it
   * in an Ethernet frame. The ingest sends these to the layered decoder.
   */
  private gre(part: Part): Part {
    const r = this.prng;
    const style = r.int(5);
    let inner = part;
    let protocolType = typeof inner.etherType === 'number' ? inner.etherType : ETHERTYPE_TEB;
    let erspan: Uint8Array = new Uint8Array(0);
    let key: number | undefined;
    let sequenceNumber: number | undefined;
    if (style === 0) {
      sequenceNumber = r.chance(0.5) ? r.u32() : undefined;
      key = r.chance(0.3) ? r.u32() : undefined;
    } else {
      inner = this.ethernet(inner);
      if (style === 1) {
        // NVGRE (RFC 7637): 24-bit VSID and 8-bit FlowID in the key.
        protocolType = ETHERTYPE_TEB;
        key = this.vni() * 256 + r.int(256);
      } else if (style === 2) {
        protocolType = GRE_PROTOCOL_ERSPAN; // Type I: no S bit, no ERSPAN header
      } else if (style === 3) {
        protocolType = GRE_PROTOCOL_ERSPAN;
        sequenceNumber = r.u32();
        erspan = encodeErspanII({ sessionId: r.int(1024), vlan: r.int(4096), index: r.int(1 << 20) });
      } else {
        protocolType = GRE_PROTOCOL_ERSPAN_III;
        sequenceNumber = r.u32();
        erspan = encodeErspanIII({
          sessionId: r.int(1024),
          timestamp: r.u32(),
          platformId: r.chance(0.3) ? r.int(64) : undefined,
        });
      }
    }
    const header = encodeGreHeader({
      protocolType,
      key,
      sequenceNumber,
      checksum: r.chance(0.1) ? r.int(0x10000) : undefined,
    });
    const v6 = r.chance(0.25);
    const [src, dst] = this.addresses(v6);
    const packet = encodeIp({ src, dst, protocol: 47, payload: concat(header, erspan, inner.bytes) });
    const g = v6 ? 40 : 20;
    const e = g + header.length;
    const out = prepend(inner, packet, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
    out.boundaries.push(g);
    out.length16.push(v6 ? 4 : 2);
    if (!v6) {
      out.length8.push(0);
    }
    // The C, K and S bits size the GRE header; ERSPAN Ver and the Type III O bit size the ERSPAN header.
    out.length8.push(g);
    out.types.push(g + 2);
    if (erspan.length > 0) {
      out.boundaries.push(e);
      out.length8.push(e);
      if (erspan.length > 8) {
        out.length8.push(e + 11);
      }
    }
    return out;
  }

  private template(): Template {
    const r = this.prng;
    const depth = r.chance(0.6) ? 1 : r.chance(0.5) ? 2 + r.int(2) : 1 + r.int(MAX_DEPTH);
    const kinds: Tunnel[] = Array.from({ length: depth }, () =>
      r.chance(0.7) ? 'vxlan' : r.chance(0.5) ? 'geneve' : 'vxlan-gpe',
    );
    let part = this.innermost();
    for (let i = depth - 1; i >= 0; i--) {
      part = this.tunnel(part, kinds[i], i === 0);
    }
    if (r.chance(0.15)) {
      part = this.gre(part);
    }
    const l3 = part.etherType as number;
    const link = r.int(10);
    let linkType: number;
    if (link < 6) {
      linkType = LINKTYPE_ETHERNET;
      part = this.ethernet(part);
    } else if (link < 8) {
      linkType = LINKTYPE_LINUX_SLL;
      part = prepend(part, encodeSll(l3, part.bytes), 'ethernet');
      part.types.push(14);
    } else {
      linkType = LINKTYPE_LINUX_SLL2;
      part = prepend(part, encodeSll2(l3, part.bytes), 'ethernet');
      part.types.push(0);
    }
    return {
      bytes: part.bytes,
      linkType,
      tunnels: kinds,
      boundaries: [...new Set(part.boundaries)].sort((a, b) => a - b),
      length16: part.length16,
      length8: part.length8,
      types: part.types,
      ports: part.ports,
      vnis: part.vnis,
    };
  }

  /**
   * Writes the next fuzzed frame into `buf` at `frame.offset` and describes it in `frame`. Bytes of
   * `buf` past the frame keep whatever an earlier frame left there, as in a reused capture buffer.
   */
  next(buf: Uint8Array, frame: FuzzFrame): void {
    const r = this.prng;
    const offset = r.chance(0.5) ? 0 : r.int(64);
    frame.offset = offset;
    frame.mutations = 0;
    if (r.chance(0.08)) {
      // Random bytes under a link type that may or may not be decodable.
      const n = r.int(300);
      r.fill(buf, offset, offset + n);
      frame.template = -1;
      frame.caplen = n;
      frame.wirelen = n;
      frame.linkType = r.chance(0.8)
        ? r.pick([LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2])
        : r.pick(GARBAGE_LINK_TYPES);
      frame.mutations = M.randomBytes;
      return;
    }
    const index = r.int(this.templates.length);
    const t = this.templates[index];
    buf.set(t.bytes, offset);
    frame.template = index;
    frame.linkType = t.linkType;
    frame.caplen = t.bytes.length;
    frame.wirelen = t.bytes.length;
    for (const at of t.vnis) {
      if (r.chance(0.5)) {
        const vni = this.vni();
        buf[offset + at] = vni >>> 16;
        buf[offset + at + 1] = (vni >>> 8) & 0xff;
        buf[offset + at + 2] = vni & 0xff;
      }
    }
    const mutations = r.chance(0.3) ? 0 : 1 + r.int(3);
    for (let m = 0; m < mutations; m++) {
      this.mutate(buf, offset, t, frame);
    }
    if (r.chance(0.05)) {
      frame.wirelen = r.pick([0, frame.caplen, frame.caplen + r.int(100000), 0xffffffff]);
      frame.mutations |= M.wirelen;
    }
  }

  private mutate(buf: Uint8Array, offset: number, t: Template, frame: FuzzFrame): void {
    const r = this.prng;
    const op = r.int(100);
    if (op < 20) {
      for (let i = 1 + r.int(4); i > 0; i--) {
        buf[offset + r.int(frame.caplen || 1)] ^= 1 << r.int(8);
      }
      frame.mutations |= M.bitflip;
    } else if (op < 40 && t.length16.length > 0) {
      const at = offset + r.pick(t.length16);
      const current = (buf[at] << 8) | buf[at + 1];
      const value = r.pick([0, 1, 7, 8, 9, 19, 20, 0xffff, current - 1, current + 1, r.int(0x10000)]) & 0xffff;
      buf[at] = value >>> 8;
      buf[at + 1] = value & 0xff;
      frame.mutations |= M.length16;
    } else if (op < 50 && t.length8.length > 0) {
      buf[offset + r.pick(t.length8)] = r.chance(0.5) ? r.int(256) : buf[offset + r.pick(t.length8)] ^ (1 << r.int(8));
      frame.mutations |= M.length8;
    } else if (op < 70) {
      // Cut at a layer boundary, or just before or after one.
      const cut = r.pick(t.boundaries) + r.pick([-1, 0, 0, 1, 2, 4, 8, 14]);
      frame.caplen = Math.max(0, Math.min(frame.caplen, cut));
      frame.mutations |= M.truncate;
    } else if (op < 78 && t.ports.length > 0) {
      const at = offset + r.pick(t.ports);
      const port = r.pick([4789, 8472, 4790, 6081, 0, 53, r.int(0x10000)]);
      buf[at] = port >>> 8;
      buf[at + 1] = port & 0xff;
      frame.mutations |= M.port;
    } else if (op < 86 && t.types.length > 0) {
      const at = offset + r.pick(t.types);
      const type = r.pick([0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x6558, 0x0000, r.int(0x10000)]);
      buf[at] = type >>> 8;
      buf[at + 1] = type & 0xff;
      frame.mutations |= M.ethertype;
    } else if (op < 95) {
      r.fill(buf, offset + r.int(frame.caplen || 1), offset + frame.caplen);
      frame.mutations |= M.randomTail;
    } else {
      frame.linkType = r.pick(GARBAGE_LINK_TYPES);
      frame.mutations |= M.linkType;
    }
  }
}

/** RFC 8926 §3.5 option: class, type, length (× 4 bytes of data). */
function geneveOption(r: Prng): Uint8Array {
  const words = r.int(4);
  return concat(Uint8Array.of(r.int(256), r.int(256), r.int(256), words), r.bytes(words * 4));
}

/** The frame `FrameFuzzer.next()` wrote. */
export interface FuzzFrame {
  offset: number;
  caplen: number;
  wirelen: number;
  linkType: number;
  /** Template index, or -1 for random bytes. */
  template: number;
  /** Bit set of MUTATIONS applied. */
  mutations: number;
}

export function createFuzzFrame(): FuzzFrame {
  return { offset: 0, caplen: 0, wirelen: 0, linkType: 0, template: -1, mutations: 0 };
}

export interface FuzzOptions {
  readonly seed: number;
  readonly packets: number;
  readonly ingest: IngestOptions;
  /** Frames between drains (the collector drains every flush interval). */
  readonly drainEvery: number;
  /** Every n-th frame is also run alone through a fresh Ingest and checked against decodeLayers(). */
  readonly probeEvery: number;
  /** Called after each drain with the running totals. */
  readonly onDrain?: (totals: FuzzTotals) => void;
}

/** Counters summed over all drains. */
export interface FuzzTotals {
  packets: number;
  vxlanPackets: number;
  gpePackets: number;
  genevePackets: number;
  otherPackets: number;
  decodeErrors: number;
  vniOverflow: number;
  /** Most VNIs in one drain report (VXLAN, GENEVE). */
  maxVnis: number;
  maxGeneveVnis: number;
  flowEvictions: number;
  macEvictions: number;
  maxFlowsTracked: number;
  recentPackets: number;
  macSightings: number;
  drains: number;
  probes: number;
  /** Frames per mutation kind ("none": a template as built, apart from its VNIs). */
  mutations: Record<MutationName | 'none', number>;
}

/** An invariant broke or `Ingest` threw: everything needed to replay the frame. */
export class FuzzFailure extends Error {
  constructor(message: string, seed: number, packetIndex: number, frame?: FuzzFrame, bytes?: Uint8Array) {
    const where = frame
      ? ` frame #${packetIndex} (template ${frame.template}, ${mutationNames(frame.mutations)}, linkType ${frame.linkType}, caplen ${frame.caplen}, wirelen ${frame.wirelen}): ${Buffer.from(bytes ?? []).toString('hex')}`
      : ` after frame #${packetIndex}`;
    super(`fuzz seed ${seed}:${where}: ${message}`);
  }
}

const MAC_TEXT = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Every number in `value` is finite and not negative; `keys` is the path walked so far. */
function checkNumbers(value: unknown, keys: string[], fail: (m: string) => never): void {
  if (typeof value === 'number') {
    // Finite and ≥ 0 without Number.isFinite (a global lookup per call is slow inside jest's vm context).
    if (!(value >= 0 && value - value === 0)) {
      fail(`${keys.join('.')} = ${value}`);
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const k in value) {
      keys.push(k);
      checkNumbers((value as Record<string, unknown>)[k], keys, fail);
      keys.pop();
    }
  }
}

const sum = (values: Iterable<number>): number => {
  let n = 0;
  for (const v of values) {
    n += v;
  }
  return n;
};

/** Consistency of one drain report with the frames fed since the previous drain (issue #3 contract). */
export function checkReport(r: IngestReport, fed: number, options: IngestOptions, fail: (m: string) => never): void {
  checkNumbers(r, ['report'], fail);
  if (r.packets !== fed) {
    fail(`packets ${r.packets} != frames fed ${fed}`);
  }
  for (const k of ['vxlanPackets', 'gpePackets', 'genevePackets', 'otherPackets'] as const) {
    if (r[k] > r.packets) {
      fail(`${k} ${r[k]} > packets ${r.packets}`);
    }
  }
  // "other" means no tunnel header at all: it excludes every tunnel category.
  if (r.otherPackets + Math.max(r.vxlanPackets, r.gpePackets, r.genevePackets) > r.packets) {
    fail(`otherPackets ${r.otherPackets} overlaps a tunnel category (${JSON.stringify(r)})`);
  }
  const errors = sum(Object.values(r.decodeErrors));
  // A frame in no category must at least be counted as a decode error.
  if (r.vxlanPackets + r.gpePackets + r.genevePackets + r.otherPackets + errors < r.packets) {
    fail(`frames counted nowhere: ${JSON.stringify({ ...r, vnis: undefined, vtepPairs: undefined })}`);
  }
  // A tunnelled frame counts under every VXLAN / GENEVE header it carries (a tracked VNI, or the
  // overflow count beyond maxVnis).
  const vniPackets = sum(Object.values(r.vnis).map((v) => v.packets));
  const geneveVniPackets = sum(Object.values(r.geneveVnis).map((g) => g.packets));
  const overflow = r.vniOverflow;
  if (
    vniPackets + overflow < r.vxlanPackets ||
    geneveVniPackets + overflow < r.genevePackets ||
    vniPackets + geneveVniPackets + overflow < r.vxlanPackets + r.genevePackets
  ) {
    fail(
      `per-VNI packets (VXLAN ${vniPackets}, GENEVE ${geneveVniPackets}, overflow ${overflow}) < frames (${r.vxlanPackets}, ${r.genevePackets})`,
    );
  }
  if (
    (r.vxlanPackets === 0 && vniPackets > 0) ||
    (r.genevePackets === 0 && geneveVniPackets > 0) ||
    (r.vxlanPackets + r.genevePackets === 0 && overflow > 0)
  ) {
    fail(
      `VNIs counted without a frame of their kind: VXLAN ${vniPackets}, GENEVE ${geneveVniPackets}, overflow ${overflow}`,
    );
  }
  if (Object.keys(r.vnis).length > options.maxVnis) {
    fail(`${Object.keys(r.vnis).length} VXLAN VNIs > maxVnis ${options.maxVnis}`);
  }
  if (Object.keys(r.geneveVnis).length > options.maxVnis) {
    fail(`${Object.keys(r.geneveVnis).length} GENEVE VNIs > maxVnis ${options.maxVnis}`);
  }
  for (const [vni, v] of Object.entries(r.vnis)) {
    const n = Number(vni);
    if (!Number.isInteger(n) || n > 0xffffff) {
      fail(`VNI key ${vni}`);
    }
    if (v.packets < 1 || sum(v.sizes) !== v.packets) {
      fail(`VNI ${vni}: packets ${v.packets}, size histogram sums to ${sum(v.sizes)}`);
    }
    const parts = {
      innerEthertypes: sum(Object.values(v.innerEthertypes)),
      ipProtocols: sum(Object.values(v.ipProtocols)),
      macKinds: v.unicast + v.multicast + v.broadcast,
      arp: v.arpRequests + v.arpReplies,
      noIFlag: v.noIFlag,
      reservedBits: v.reservedBits,
    };
    for (const [k, n] of Object.entries(parts)) {
      if (n > v.packets) {
        fail(`VNI ${vni}: ${k} ${n} > packets ${v.packets}`);
      }
    }
  }
  const pairPackets = sum(r.vtepPairs.map((p) => p.packets));
  if (pairPackets > r.vxlanPackets) {
    fail(`VTEP pair packets ${pairPackets} > vxlanPackets ${r.vxlanPackets}`);
  }
}

/**
 * One frame alone through its own Ingest (drained after every frame, so each report covers exactly
 * that frame): its categories and per-VNI counts must match what the layered decoder finds in the same
 * bytes (every VXLAN, GPE and GENEVE header).
 */
export class Probe {
  private readonly options: IngestOptions;
  private readonly single: Ingest;
  private readonly ports: PortRegistry;

  constructor(ports: readonly number[]) {
    // Room for every header of a frame: no VNI overflow within one frame.
    this.options = { ports, maxVnis: MAX_DEPTH + 1, flowCapacity: 16, macCapacity: 16, ringPerVni: 0, ringSnaplen: 0 };
    this.single = new Ingest(this.options);
    this.ports = new PortRegistry(ports);
  }

  check(buf: Uint8Array, f: FuzzFrame, fail: (m: string) => never): void {
    this.single.packet(buf, f.offset, f.caplen, f.wirelen, f.linkType, 1);
    const r = this.single.drain();
    checkReport(r, 1, this.options, fail);
    const { layers, error } = decodeLayers(buf, f.offset, f.caplen, f.linkType, this.ports);
    const count = (type: string): number => layers.filter((l) => l.type === type).length;
    const vxlanHeaders = count('vxlan');
    const expected = {
      vxlanPackets: vxlanHeaders > 0 ? 1 : 0,
      gpePackets: count('vxlan-gpe') > 0 ? 1 : 0,
      genevePackets: count('geneve') > 0 ? 1 : 0,
      vxlanHeaders,
      geneveHeaders: count('geneve'),
    };
    const seen = {
      vxlanPackets: r.vxlanPackets,
      gpePackets: r.gpePackets,
      genevePackets: r.genevePackets,
      vxlanHeaders: sum(Object.values(r.vnis).map((v) => v.packets)),
      geneveHeaders: sum(Object.values(r.geneveVnis).map((g) => g.packets)),
    };
    if (JSON.stringify(seen) !== JSON.stringify(expected)) {
      fail(
        `ingest ${JSON.stringify(seen)} != layered decode ${JSON.stringify(expected)} (layers ${layers.map((l) => l.type).join('/')}${error ? `, error ${error.layer}/${error.reason}` : ''})`,
      );
    }
    if (r.otherPackets === 1 && expected.vxlanPackets + expected.gpePackets + expected.genevePackets > 0) {
      fail(
        `counted as other, but the layered decode found ${layers.map((l) => l.type).join('/')}${error ? `, error ${error.layer}/${error.reason}` : ''}`,
      );
    }
  }
}

/**
 * Feeds `packets` fuzzed frames to one Ingest, drains it every `drainEvery` frames (with state(),
 * drainMacs() and drainPackets()) and checks every report. Throws FuzzFailure on the first broken
 * invariant or escaped exception.
 */
export function runFuzz(options: FuzzOptions, fuzzer = new FrameFuzzer(options.seed)): FuzzTotals {
  const { seed, packets, drainEvery, probeEvery } = options;
  const ingestOptions = options.ingest;
  const sut = new Ingest(ingestOptions);
  const prober = new Probe(ingestOptions.ports);
  const buf = new Uint8Array(1 << 17);
  const frame = createFuzzFrame();
  const totals: FuzzTotals = {
    packets: 0,
    vxlanPackets: 0,
    gpePackets: 0,
    genevePackets: 0,
    otherPackets: 0,
    decodeErrors: 0,
    vniOverflow: 0,
    maxVnis: 0,
    maxGeneveVnis: 0,
    flowEvictions: 0,
    macEvictions: 0,
    maxFlowsTracked: 0,
    recentPackets: 0,
    macSightings: 0,
    drains: 0,
    probes: 0,
    mutations: { none: 0, ...(Object.fromEntries(MUTATION_NAMES.map((k) => [k, 0])) as Record<MutationName, number>) },
  };
  const mutationCounts = new Float64Array(1 + MUTATION_NAMES.length);
  let fed = 0;
  let ts = 1_700_000_000_000;
  let i = 0;
  const failAfter = (message: string): never => {
    throw new FuzzFailure(message, seed, i);
  };
  const drain = (): void => {
    const r = sut.drain();
    checkReport(r, fed, ingestOptions, failAfter);
    const state = sut.state(10);
    if (state.flowsTracked > sut.flows.capacity || state.topFlows.length > 10) {
      failAfter(`flow table holds ${state.flowsTracked} > capacity ${sut.flows.capacity}`);
    }
    if (state.flowEvictions < totals.flowEvictions || state.macEvictions < totals.macEvictions) {
      failAfter('eviction counters went backwards');
    }
    checkNumbers(state, ['state'], failAfter);
    const macs = sut.drainMacs();
    for (const m of macs) {
      if (!MAC_TEXT.test(m.mac) || m.packets < 1) {
        failAfter(`bad MAC sighting ${JSON.stringify(m)}`);
      }
    }
    const recent = sut.drainPackets();
    const perVni = ingestOptions.ringPerVni;
    if (recent.length > perVni * ingestOptions.maxVnis) {
      failAfter(`${recent.length} recent packets > ${perVni} × ${ingestOptions.maxVnis}`);
    }
    for (const p of recent) {
      if (Buffer.from(p.data, 'base64').length > ingestOptions.ringSnaplen) {
        failAfter('recent packet longer than ringSnaplen');
      }
    }
    totals.packets += r.packets;
    totals.vxlanPackets += r.vxlanPackets;
    totals.gpePackets += r.gpePackets;
    totals.genevePackets += r.genevePackets;
    totals.otherPackets += r.otherPackets;
    totals.decodeErrors += sum(Object.values(r.decodeErrors));
    totals.vniOverflow += r.vniOverflow;
    totals.maxVnis = Math.max(totals.maxVnis, Object.keys(r.vnis).length);
    totals.maxGeneveVnis = Math.max(totals.maxGeneveVnis, Object.keys(r.geneveVnis).length);
    totals.flowEvictions = state.flowEvictions;
    totals.macEvictions = state.macEvictions;
    totals.maxFlowsTracked = Math.max(totals.maxFlowsTracked, state.flowsTracked);
    totals.recentPackets += recent.length;
    totals.macSightings += macs.length;
    totals.drains++;
    totals.mutations.none = mutationCounts[0];
    MUTATION_NAMES.forEach((k, b) => (totals.mutations[k] = mutationCounts[b + 1]));
    fed = 0;
    options.onDrain?.(totals);
  };
  for (i = 0; i < packets; i++) {
    fuzzer.next(buf, frame);
    ts += fuzzer.prng.chance(0.001) ? -5000 : fuzzer.prng.int(3);
    const failHere = (message: string): never => {
      throw new FuzzFailure(message, seed, i, frame, buf.slice(frame.offset, frame.offset + frame.caplen));
    };
    try {
      sut.packet(buf, frame.offset, frame.caplen, frame.wirelen, frame.linkType, ts);
    } catch (err) {
      failHere(`Ingest.packet threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    fed++;
    // Slot 0: no mutation; slot b + 1: bit b.
    if (frame.mutations === 0) {
      mutationCounts[0]++;
    }
    for (let m = frame.mutations; m !== 0; m &= m - 1) {
      mutationCounts[32 - Math.clz32(m & -m)]++;
    }
    if (probeEvery > 0 && i % probeEvery === 0) {
      totals.probes++;
      try {
        prober.check(buf, frame, failHere);
      } catch (err) {
        if (err instanceof FuzzFailure) {
          throw err;
        }
        failHere(`probe threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
    if (fed === drainEvery) {
      drain();
    }
  }
  drain();
  return totals;
}
