// Test-only frame builders (Hubble's SerializeLayers idea): tests state intent, such as
// `encodeVxlanFrame({ vni: 42, innerSrc: '02:00:00:00:00:01' })`, instead of hex.

function isIPv4(text: string): boolean {
  return !text.includes(':');
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;

export function mac(text: string): Uint8Array {
  return Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));
}

export function ipv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map((d) => parseInt(d, 10)));
}

export function ipv6(text: string): Uint8Array {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  const groups = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function be16(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}

/** RFC 1071 Internet checksum over the concatenation of `parts`. */
export function internetChecksum(...parts: Uint8Array[]): number {
  const bytes = concat(...parts);
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  }
  while (sum > 0xffff) {
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  return ~sum & 0xffff;
}

export interface EthernetSpec {
  readonly dst?: string;
  readonly src?: string;
  /** 802.1Q tags (VIDs), outermost first; the first uses `tpid`. */
  readonly vlans?: readonly number[];
  readonly tpid?: number;
  readonly etherType: number;
  readonly payload: Uint8Array;
}

export function encodeEthernet(spec: EthernetSpec): Uint8Array {
  // Each 802.1Q tag is a TPID and a TCI; the EtherType follows the last tag.
  const tags = (spec.vlans ?? []).map((vid, i) => concat(be16(i === 0 ? (spec.tpid ?? 0x8100) : 0x8100), be16(vid)));
  return concat(
    mac(spec.dst ?? '02:00:00:00:00:02'),
    mac(spec.src ?? '02:00:00:00:00:01'),
    ...tags,
    be16(spec.etherType),
    spec.payload,
  );
}

export interface IpSpec {
  readonly src: string;
  readonly dst: string;
  readonly protocol: number;
  readonly payload: Uint8Array;
  readonly ttl?: number;
  /** Overrides the IPv4 Total Length / IPv6 Payload Length field (0 = BIG TCP). */
  readonly lengthField?: number;
  /** IPv4 flags+fragment offset word (e.g. 0x2000 = MF, 0x00b9 = offset 185 × 8). */
  readonly fragmentWord?: number;
  /** IPv6 extension headers to insert, as [type, bytes] (bytes include Next Header, which is patched). */
  readonly extensionHeaders?: readonly (readonly [number, Uint8Array])[];
}

export function encodeIp(spec: IpSpec): Uint8Array {
  return isIPv4(spec.src) ? encodeIpv4(spec) : encodeIpv6(spec);
}

export function encodeIpv4(spec: IpSpec): Uint8Array {
  const h = new Uint8Array(20);
  h[0] = 0x45;
  const total = spec.lengthField ?? 20 + spec.payload.length;
  h.set(be16(total), 2);
  h.set(be16(0x1234), 4);
  h.set(be16(spec.fragmentWord ?? 0x4000), 6);
  h[8] = spec.ttl ?? 64;
  h[9] = spec.protocol;
  h.set(ipv4(spec.src), 12);
  h.set(ipv4(spec.dst), 16);
  h.set(be16(internetChecksum(h)), 10);
  return concat(h, spec.payload);
}

export function encodeIpv6(spec: IpSpec): Uint8Array {
  const ext = spec.extensionHeaders ?? [];
  const chain = ext.map(([, bytes], i) => {
    const copy = Uint8Array.from(bytes);
    copy[0] = i + 1 < ext.length ? ext[i + 1][0] : spec.protocol;
    return copy;
  });
  const body = concat(...chain, spec.payload);
  const h = new Uint8Array(40);
  h[0] = 0x60;
  h.set(be16(spec.lengthField ?? body.length), 4);
  h[6] = ext.length > 0 ? ext[0][0] : spec.protocol;
  h[7] = spec.ttl ?? 64;
  h.set(ipv6(spec.src), 8);
  h.set(ipv6(spec.dst), 24);
  return concat(h, body);
}

function pseudoHeader(src: string, dst: string, protocol: number, length: number): Uint8Array {
  return isIPv4(src)
    ? concat(ipv4(src), ipv4(dst), Uint8Array.of(0, protocol), be16(length))
    : concat(ipv6(src), ipv6(dst), be16(length >>> 16), be16(length & 0xffff), Uint8Array.of(0, 0, 0, protocol));
}

export interface UdpSpec {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
  /** Overrides the Length field (0 = GSO). */
  readonly lengthField?: number;
  /** Compute the checksum (default: only over IPv6, where it is mandatory). */
  readonly checksum?: boolean;
  /** Overrides the IP length field (0 = BIG TCP). */
  readonly ipLengthField?: number;
  readonly fragmentWord?: number;
}

/** An IP packet carrying one UDP datagram. */
export function encodeUdpPacket(spec: UdpSpec): Uint8Array {
  const length = 8 + spec.payload.length;
  const udp = concat(be16(spec.srcPort), be16(spec.dstPort), be16(spec.lengthField ?? length), be16(0), spec.payload);
  if (spec.checksum ?? !isIPv4(spec.src)) {
    const sum = internetChecksum(pseudoHeader(spec.src, spec.dst, 17, length), udp);
    udp.set(be16(sum === 0 ? 0xffff : sum), 6);
  }
  return encodeIp({
    src: spec.src,
    dst: spec.dst,
    protocol: 17,
    payload: udp,
    lengthField: spec.ipLengthField,
    fragmentWord: spec.fragmentWord,
  });
}

/** An IPv6 packet with an ICMPv6 echo request (type 128) or reply (129). */
export function encodeIcmpv6Echo(src: string, dst: string, type: number, id: number, seq: number): Uint8Array {
  const msg = concat(Uint8Array.of(type, 0, 0, 0), be16(id), be16(seq), Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
  msg.set(be16(internetChecksum(pseudoHeader(src, dst, 58, msg.length), msg)), 2);
  return encodeIpv6({ src, dst, protocol: 58, payload: msg, ttl: 255 });
}

export interface VxlanFrameSpec {
  readonly outerSrc?: string;
  readonly outerDst?: string;
  readonly outerSrcMac?: string;
  readonly outerDstMac?: string;
  readonly outerVlans?: readonly number[];
  readonly srcPort?: number;
  readonly dstPort?: number;
  readonly vni: number;
  /** VXLAN flags byte (default 0x08, the I flag). */
  readonly flags?: number;
  /** VXLAN reserved fields: 24 bits after the flags (GBP bits/Group Policy ID) and 8 bits after the VNI. */
  readonly reserved1?: number;
  readonly reserved2?: number;
  readonly innerSrc?: string;
  readonly innerDst?: string;
  readonly innerVlans?: readonly number[];
  readonly innerTpid?: number;
  readonly ethertype?: number;
  readonly payload?: Uint8Array;
  /** Override outer IP / UDP length fields (0 = BIG TCP / GSO). */
  readonly ipLengthField?: number;
  readonly udpLengthField?: number;
}

/** A small inner packet matching `etherType`: IPv4 UDP 10.0.0.1:1234 → 10.0.0.2:5678 "hi", or an ICMPv6 echo. */
export function defaultInnerPayload(etherType: number): Uint8Array {
  if (etherType === ETHERTYPE_IPV4) {
    return encodeUdpPacket({
      src: '10.0.0.1',
      dst: '10.0.0.2',
      srcPort: 1234,
      dstPort: 5678,
      payload: Uint8Array.of(0x68, 0x69),
    });
  }
  return etherType === ETHERTYPE_IPV6 ? encodeIcmpv6Echo('fd00::1', 'fd00::2', 128, 1, 1) : new Uint8Array(0);
}

/** The 8-byte VXLAN header of RFC 7348 §5. */
export function encodeVxlanHeader(vni: number, flags = 0x08, reserved1 = 0, reserved2 = 0): Uint8Array {
  return Uint8Array.of(
    flags,
    reserved1 >> 16,
    (reserved1 >> 8) & 0xff,
    reserved1 & 0xff,
    vni >> 16,
    (vni >> 8) & 0xff,
    vni & 0xff,
    reserved2,
  );
}

/** The UDP/IP packet of a VXLAN frame (no outer link header), for nesting or other link types. */
export function encodeVxlanPacket(spec: VxlanFrameSpec): Uint8Array {
  const etherType = spec.ethertype ?? ETHERTYPE_IPV4;
  const inner = encodeEthernet({
    src: spec.innerSrc ?? '02:00:00:00:01:01',
    dst: spec.innerDst ?? '02:00:00:00:01:02',
    vlans: spec.innerVlans,
    tpid: spec.innerTpid,
    etherType,
    payload: spec.payload ?? defaultInnerPayload(etherType),
  });
  return encodeUdpPacket({
    src: spec.outerSrc ?? '192.0.2.1',
    dst: spec.outerDst ?? '192.0.2.2',
    srcPort: spec.srcPort ?? 54321,
    dstPort: spec.dstPort ?? 4789,
    lengthField: spec.udpLengthField,
    ipLengthField: spec.ipLengthField,
    payload: concat(encodeVxlanHeader(spec.vni, spec.flags, spec.reserved1, spec.reserved2), inner),
  });
}

/** A whole Ethernet frame: outer Ethernet → IPv4/IPv6 → UDP → VXLAN → inner Ethernet → payload. */
export function encodeVxlanFrame(spec: VxlanFrameSpec): Uint8Array {
  const packet = encodeVxlanPacket(spec);
  return encodeEthernet({
    src: spec.outerSrcMac ?? '02:00:00:00:00:01',
    dst: spec.outerDstMac ?? '02:00:00:00:00:02',
    vlans: spec.outerVlans,
    etherType: isIPv4(spec.outerSrc ?? '192.0.2.1') ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6,
    payload: packet,
  });
}

/** LINKTYPE_LINUX_SLL header (16 bytes) in front of an L3 packet. */
export function encodeSll(protocol: number, packet: Uint8Array, packetType = 0): Uint8Array {
  return concat(
    be16(packetType),
    be16(1),
    be16(6),
    mac('02:00:00:00:00:01'),
    Uint8Array.of(0, 0),
    be16(protocol),
    packet,
  );
}

/** LINKTYPE_LINUX_SLL2 header (20 bytes) in front of an L3 packet. */
export function encodeSll2(protocol: number, packet: Uint8Array, ifindex = 7, packetType = 0): Uint8Array {
  return concat(
    be16(protocol),
    be16(0),
    Uint8Array.of(ifindex >>> 24, (ifindex >> 16) & 0xff, (ifindex >> 8) & 0xff, ifindex & 0xff),
    be16(1),
    Uint8Array.of(packetType, 6),
    mac('02:00:00:00:00:01'),
    Uint8Array.of(0, 0),
    packet,
  );
}

export interface GreSpec {
  readonly protocolType: number;
  /** Ver (default 0; 1 is PPTP's enhanced GRE). */
  readonly version?: number;
  /** C bit: Checksum and Reserved1 (the checksum is written as given, not computed). */
  readonly checksum?: number;
  readonly key?: number;
  readonly sequenceNumber?: number;
  /** Version 1 Acknowledgment Number (sets the A bit). */
  readonly acknowledgmentNumber?: number;
  /** Extra bits ORed into the first 16 bits (R, Reserved0). */
  readonly extraFlags?: number;
}

function be32(value: number): Uint8Array {
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

/** An RFC 2784 / RFC 2890 GRE header (or RFC 2637 enhanced GRE with `version: 1`). */
export function encodeGreHeader(spec: GreSpec): Uint8Array {
  const flags =
    (spec.checksum !== undefined ? 0x8000 : 0) |
    (spec.key !== undefined ? 0x2000 : 0) |
    (spec.sequenceNumber !== undefined ? 0x1000 : 0) |
    (spec.acknowledgmentNumber !== undefined ? 0x0080 : 0) |
    (spec.extraFlags ?? 0) |
    (spec.version ?? 0);
  return concat(
    be16(flags),
    be16(spec.protocolType),
    spec.checksum !== undefined || ((spec.extraFlags ?? 0) & 0x4000) !== 0
      ? concat(be16(spec.checksum ?? 0), be16(0))
      : new Uint8Array(0),
    spec.key !== undefined ? be32(spec.key) : new Uint8Array(0),
    spec.sequenceNumber !== undefined ? be32(spec.sequenceNumber) : new Uint8Array(0),
    spec.acknowledgmentNumber !== undefined ? be32(spec.acknowledgmentNumber) : new Uint8Array(0),
  );
}

export interface ErspanSpec {
  readonly sessionId: number;
  readonly vlan?: number;
  readonly cos?: number;
  /** Type II En, or Type III BSO. */
  readonly bits?: number;
  readonly frameTruncated?: boolean;
}

/** draft-foschiano-erspan-03 Type II header (Ver 1, 8 bytes). */
export function encodeErspanII(spec: ErspanSpec & { readonly index: number }): Uint8Array {
  return concat(
    be16((1 << 12) | (spec.vlan ?? 0)),
    be16(((spec.cos ?? 0) << 13) | ((spec.bits ?? 0) << 11) | (spec.frameTruncated ? 0x0400 : 0) | spec.sessionId),
    be32(spec.index),
  );
}

export interface ErspanIIISpec extends ErspanSpec {
  readonly timestamp: number;
  readonly sgt?: number;
  readonly pduFrame?: boolean;
  readonly frameType?: number;
  readonly hardwareId?: number;
  readonly egress?: boolean;
  readonly granularity?: number;
  /** Platform ID of an 8-byte platform specific subheader (sets the O bit). */
  readonly platformId?: number;
}

/** draft-foschiano-erspan-03 Type III header (Ver 2, 12 bytes, + 8 with a platform subheader). */
export function encodeErspanIII(spec: ErspanIIISpec): Uint8Array {
  const word3 =
    (spec.pduFrame ? 0x8000 : 0) |
    ((spec.frameType ?? 0) << 10) |
    ((spec.hardwareId ?? 0) << 4) |
    (spec.egress ? 0x0008 : 0) |
    ((spec.granularity ?? 0) << 1) |
    (spec.platformId !== undefined ? 1 : 0);
  return concat(
    be16((2 << 12) | (spec.vlan ?? 0)),
    be16(((spec.cos ?? 0) << 13) | ((spec.bits ?? 0) << 11) | (spec.frameTruncated ? 0x0400 : 0) | spec.sessionId),
    be32(spec.timestamp),
    be16(spec.sgt ?? 0),
    be16(word3),
    spec.platformId !== undefined
      ? Uint8Array.of(spec.platformId << 2, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef)
      : new Uint8Array(0),
  );
}

export { ETHERTYPE_IPV4, ETHERTYPE_IPV6 };
