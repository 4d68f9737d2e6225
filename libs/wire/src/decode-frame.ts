// The capture hot path: link layer → outer IPv4/IPv6 → UDP → VXLAN (RFC 7348 §5) → inner Ethernet.
//
// Hubble-style: the caller owns one reusable `VxlanFrameInfo`; decoding writes numbers and offsets
// into it and allocates nothing (no subarray, no strings, no closures, no exceptions). Header layouts
// are drawn in ethernet.ts, sll.ts, ipv4.ts, ipv6.ts, udp.ts and vxlan.ts; this file re-reads the same
// fields with plain byte arithmetic and reports failures through `out.error` instead of throwing.
import { u16, u24, u32 } from './bytes';
import type { DecodeErrorLayer, DecodeErrorReason } from './decode-error';
import {
  ETHERNET_HEADER_LENGTH,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_QINQ,
  ETHERTYPE_VLAN,
  LINKTYPE_ETHERNET,
  VLAN_TAG_LENGTH,
} from './ethernet';
import {
  IP_PROTOCOL_HOPOPTS,
  IP_PROTOCOL_IPV6_FRAG,
  IP_PROTOCOL_IPV6_OPTS,
  IP_PROTOCOL_IPV6_ROUTE,
  IP_PROTOCOL_UDP,
  IPV4_MIN_HEADER_LENGTH,
} from './ipv4';
import { IPV6_HEADER_LENGTH } from './ipv6';
import type { PortRegistry } from './registry';
import { LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, SLL2_HEADER_LENGTH, SLL_HEADER_LENGTH } from './sll';
import { UDP_HEADER_LENGTH } from './udp';
import { VXLAN_FLAG_GBP, VXLAN_FLAG_I, VXLAN_HEADER_LENGTH } from './vxlan';

/** How many VXLAN-in-VXLAN levels are followed to count `nestedVxlan` (Zeek's Tunnel::max_depth is 4). */
export const MAX_NESTED_VXLAN = 8;

/**
 * Result of `decodeVxlanFrame()`: one caller-owned object, overwritten by every call.
 *
 * All addresses are numbers or offsets into the decoded buffer; format them with `formatIpv4`,
 * `formatIpv6` and `formatMac` only at the API edge, and only while the buffer is still valid.
 * Fields describe the OUTERMOST VXLAN header. They are meaningful when the call returned true;
 * after a false return with `error` set, the fields of the layers before `errorLayer` are filled in.
 */
export interface VxlanFrameInfo {
  /** Link type the frame was decoded as. */
  linkType: number;
  /** Bytes of the frame that were available (the `length` argument, clamped to the buffer). */
  capturedLength: number;
  /**
   * Frame length according to its headers: link header + outer IP datagram length (falls back to the
   * captured length for BIG TCP, whose IP length is 0). Ethernet padding and FCS are not counted.
   */
  wireLength: number;
  /** An outer IP or UDP length field claims more bytes than were captured (snap length, first fragment). */
  truncated: boolean;
  /** Why decoding stopped, or undefined when it did not fail (a false return then means "not VXLAN"). */
  error: DecodeErrorReason | undefined;
  /** The layer that failed, when `error` is set. */
  errorLayer: DecodeErrorLayer | undefined;
  /** Offset of the failing header, when `error` is set, else -1. */
  errorOffset: number;

  /** VID of the first outer 802.1Q/802.1ad tag, or -1. */
  outerVlanId: number;
  /** 4 or 6; 0 until the outer IP header is decoded. */
  outerIpVersion: 0 | 4 | 6;
  /**
   * Protocol of the outer IP header (IPv4 Protocol; IPv6: the Next Header where the extension-header walk
   * stopped), or -1 when not reached. Set before the UDP check, so a caller can tell GRE (47) from other IP.
   */
  outerIpProtocol: number;
  /** Outer IPv4 source address as an unsigned 32-bit number (0 for IPv6). */
  outerSrc4: number;
  /** Outer IPv4 destination address as an unsigned 32-bit number (0 for IPv6). */
  outerDst4: number;
  /** Offset of the outer source address (4 or 16 bytes, per `outerIpVersion`). */
  outerSrcOffset: number;
  /** Offset of the outer destination address. */
  outerDstOffset: number;
  /** Outer UDP source port. */
  srcPort: number;
  /** Outer UDP destination port. */
  dstPort: number;

  /** Offset of the VXLAN header. */
  vxlanOffset: number;
  /** VXLAN flags byte (0x08 = I; 0x80 = GBP G bit). */
  flags: number;
  /** I flag set: the VNI is valid. A frame without it is still decoded (and returns true). */
  vniValid: boolean;
  /** Some bit RFC 7348 reserves is non-zero (reported, not rejected; GBP bits count as reserved). */
  reservedBitsSet: boolean;
  /** VXLAN Network Identifier. */
  vni: number;
  /** GBP Group Policy ID when the G bit is set, else -1. */
  groupPolicyId: number;

  /** Offset of the inner Ethernet frame (right after the VXLAN header). */
  innerOffset: number;
  /** Captured bytes of the inner Ethernet frame (up to the UDP length). */
  innerLength: number;
  /** Offset of the inner destination MAC (6 bytes). */
  innerDstMacOffset: number;
  /** Offset of the inner source MAC (6 bytes). */
  innerSrcMacOffset: number;
  /** Inner EtherType after any 802.1Q/802.1ad tags. */
  innerEtherType: number;
  /** VID of the first inner 802.1Q/802.1ad tag, or -1. */
  innerVlanId: number;
  /** Offset of the inner Ethernet payload (after tags), for decoding deeper on demand. */
  innerPayloadOffset: number;
  /**
   * VXLAN headers found nested inside the inner frame (VXLAN-in-VXLAN), up to MAX_NESTED_VXLAN (or
   * the `maxNested` argument of `decodeVxlanFrame()`; 0 when it is 0).
   */
  nestedVxlan: number;
}

/** Creates a `VxlanFrameInfo` to reuse across `decodeVxlanFrame()` calls. */
export function createVxlanFrameInfo(): VxlanFrameInfo {
  const out = {} as VxlanFrameInfo;
  resetVxlanFrameInfo(out);
  return out;
}

// Always the same property order: every VxlanFrameInfo shares one hidden class.
function resetVxlanFrameInfo(out: VxlanFrameInfo): void {
  out.linkType = -1;
  out.capturedLength = 0;
  out.wireLength = 0;
  out.truncated = false;
  out.error = undefined;
  out.errorLayer = undefined;
  out.errorOffset = -1;
  out.outerVlanId = -1;
  out.outerIpVersion = 0;
  out.outerIpProtocol = -1;
  out.outerSrc4 = 0;
  out.outerDst4 = 0;
  out.outerSrcOffset = -1;
  out.outerDstOffset = -1;
  out.srcPort = 0;
  out.dstPort = 0;
  out.vxlanOffset = -1;
  out.flags = 0;
  out.vniValid = false;
  out.reservedBitsSet = false;
  out.vni = -1;
  out.groupPolicyId = -1;
  out.innerOffset = -1;
  out.innerLength = 0;
  out.innerDstMacOffset = -1;
  out.innerSrcMacOffset = -1;
  out.innerEtherType = -1;
  out.innerVlanId = -1;
  out.innerPayloadOffset = -1;
  out.nestedVxlan = 0;
}

/**
 * Decodes the outer headers, the VXLAN header and the inner Ethernet header of one captured frame
 * into `out`, and nothing more. Never throws and never allocates.
 *
 * @param buf bytes holding the frame (for example the pcap session buffer; only read during the call)
 * @param offset where the frame starts in `buf`
 * @param length captured length of the frame (pcap caplen); bytes past it are never read
 * @param linkType pcap link type: 1 Ethernet, 113 Linux SLL, 276 Linux SLL2
 * @param ports which UDP ports carry VXLAN (destination port checked first, then source)
 * @param out reusable result, reset on every call
 * @param maxNested how many VXLAN-in-VXLAN levels to follow for `nestedVxlan` (0: none, and
 *   `nestedVxlan` stays 0). A caller that decodes the inner packet anyway can look for a nested
 *   tunnel itself and save a second walk over the inner IP and UDP headers.
 * @returns true when a VXLAN frame was decoded; false when the frame is not VXLAN (`out.error`
 *   undefined) or could not be decoded (`out.error`/`out.errorLayer` say why)
 */
export function decodeVxlanFrame(
  buf: Uint8Array,
  offset: number,
  length: number,
  linkType: number,
  ports: PortRegistry,
  out: VxlanFrameInfo,
  maxNested = MAX_NESTED_VXLAN,
): boolean {
  resetVxlanFrameInfo(out);
  const limit = offset + length;
  const end = limit < buf.length ? limit : buf.length;
  out.linkType = linkType;
  out.capturedLength = end > offset ? end - offset : 0;
  let pos = offset;
  let etherType: number;
  if (linkType === LINKTYPE_ETHERNET) {
    if (end - pos < ETHERNET_HEADER_LENGTH) {
      return fail(out, 0, 'ethernet', 'truncated', pos);
    }
    etherType = u16(buf, pos + 12);
    pos += ETHERNET_HEADER_LENGTH;
  } else if (linkType === LINKTYPE_LINUX_SLL2) {
    if (end - pos < SLL2_HEADER_LENGTH) {
      return fail(out, 0, 'sll2', 'truncated', pos);
    }
    etherType = u16(buf, pos);
    pos += SLL2_HEADER_LENGTH;
  } else if (linkType === LINKTYPE_LINUX_SLL) {
    if (end - pos < SLL_HEADER_LENGTH) {
      return fail(out, 0, 'sll', 'truncated', pos);
    }
    etherType = u16(buf, pos + 14);
    pos += SLL_HEADER_LENGTH;
  } else {
    return fail(out, 0, 'link', 'unsupported-link-type', pos);
  }
  // libpcap re-inserts tags the NIC stripped, after the Ethernet or cooked header.
  while (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ) {
    if (end - pos < VLAN_TAG_LENGTH) {
      return fail(out, 0, 'vlan', 'truncated', pos);
    }
    if (out.outerVlanId < 0) {
      out.outerVlanId = u16(buf, pos) & 0x0fff;
    }
    etherType = u16(buf, pos + 2);
    pos += VLAN_TAG_LENGTH;
  }
  return decodeTunnel(buf, offset, pos, end, etherType, ports, out, 0, maxNested);
}

/**
 * IP → UDP → VXLAN → inner Ethernet, starting at the IP header `pos`. At depth 0 it fills `out`;
 * deeper calls, down to `maxDepth`, only follow VXLAN-in-VXLAN and bump `out.nestedVxlan`, failing
 * silently.
 */
function decodeTunnel(
  buf: Uint8Array,
  frameOffset: number,
  pos: number,
  end: number,
  etherType: number,
  ports: PortRegistry,
  out: VxlanFrameInfo,
  depth: number,
  maxDepth: number,
): boolean {
  const outer = depth === 0;
  const ipOffset = pos;
  let ipEnd: number;
  if (etherType === ETHERTYPE_IPV4) {
    if (end - pos < IPV4_MIN_HEADER_LENGTH) {
      return fail(out, depth, 'ipv4', 'truncated', pos);
    }
    const versionIhl = buf[pos];
    if (versionIhl >> 4 !== 4) {
      return fail(out, depth, 'ipv4', 'bad-version', pos);
    }
    if (outer) {
      out.outerIpProtocol = buf[pos + 9];
    }
    // Only the first fragment carries the UDP header.
    if (buf[pos + 9] !== IP_PROTOCOL_UDP || (u16(buf, pos + 6) & 0x1fff) !== 0) {
      return false;
    }
    const headerLength = (versionIhl & 0x0f) << 2;
    if (headerLength < IPV4_MIN_HEADER_LENGTH) {
      return fail(out, depth, 'ipv4', 'bad-header-length', pos);
    }
    if (end - pos < headerLength) {
      return fail(out, depth, 'ipv4', 'truncated', pos);
    }
    const totalLength = u16(buf, pos + 2);
    if (totalLength === 0) {
      ipEnd = end; // BIG TCP / GSO: the captured length is the datagram length
    } else if (totalLength < headerLength) {
      return fail(out, depth, 'ipv4', 'bad-total-length', pos);
    } else {
      ipEnd = pos + totalLength;
    }
    if (outer) {
      out.outerIpVersion = 4;
      out.outerSrcOffset = pos + 12;
      out.outerDstOffset = pos + 16;
      out.outerSrc4 = u32(buf, pos + 12);
      out.outerDst4 = u32(buf, pos + 16);
    }
    pos += headerLength;
  } else if (etherType === ETHERTYPE_IPV6) {
    if (end - pos < IPV6_HEADER_LENGTH) {
      return fail(out, depth, 'ipv6', 'truncated', pos);
    }
    if (buf[pos] >> 4 !== 6) {
      return fail(out, depth, 'ipv6', 'bad-version', pos);
    }
    const payloadLength = u16(buf, pos + 4);
    ipEnd = payloadLength === 0 ? end : pos + IPV6_HEADER_LENGTH + payloadLength;
    const walkEnd = ipEnd < end ? ipEnd : end;
    let nextHeader = buf[pos + 6];
    const srcOffset = pos + 8;
    pos += IPV6_HEADER_LENGTH;
    // RFC 8200 §4: step over the extension headers that may precede UDP.
    for (;;) {
      if (outer) {
        out.outerIpProtocol = nextHeader;
      }
      if (nextHeader === IP_PROTOCOL_UDP) {
        break;
      }
      if (nextHeader === IP_PROTOCOL_IPV6_FRAG) {
        if (walkEnd - pos < 8) {
          return fail(out, depth, 'ipv6', 'truncated', pos);
        }
        if ((u16(buf, pos + 2) & 0xfff8) !== 0) {
          return false; // non-first fragment: no UDP header here
        }
        nextHeader = buf[pos];
        pos += 8;
      } else if (
        nextHeader === IP_PROTOCOL_HOPOPTS ||
        nextHeader === IP_PROTOCOL_IPV6_ROUTE ||
        nextHeader === IP_PROTOCOL_IPV6_OPTS
      ) {
        if (walkEnd - pos < 2 || walkEnd - pos < (buf[pos + 1] + 1) << 3) {
          return fail(out, depth, 'ipv6', 'truncated', pos);
        }
        nextHeader = buf[pos];
        pos += (buf[pos + 1] + 1) << 3;
      } else {
        return false;
      }
    }
    if (outer) {
      out.outerIpVersion = 6;
      out.outerSrcOffset = srcOffset;
      out.outerDstOffset = srcOffset + 16;
    }
  } else {
    return false;
  }
  if (ipEnd > end) {
    if (outer) {
      out.truncated = true;
    }
    ipEnd = end;
  }

  // RFC 768 UDP
  if (ipEnd - pos < UDP_HEADER_LENGTH) {
    return fail(out, depth, 'udp', 'truncated', pos);
  }
  const srcPort = u16(buf, pos);
  const dstPort = u16(buf, pos + 2);
  if (outer) {
    // Set before the port check, so a caller can tell GENEVE or VXLAN-GPE from other UDP.
    out.srcPort = srcPort;
    out.dstPort = dstPort;
  }
  if (!ports.isVxlan(srcPort, dstPort)) {
    return false;
  }
  const udpLength = u16(buf, pos + 4);
  let udpEnd: number;
  if (udpLength === 0) {
    udpEnd = ipEnd; // GSO super-packet
  } else if (udpLength < UDP_HEADER_LENGTH) {
    return fail(out, depth, 'udp', 'bad-length', pos);
  } else {
    udpEnd = pos + udpLength;
    if (udpEnd > ipEnd) {
      if (outer) {
        out.truncated = true;
      }
      udpEnd = ipEnd;
    }
  }
  if (outer) {
    // Header view of the datagram's length, independent of the snap length.
    const ipLength = u16(buf, ipOffset + (etherType === ETHERTYPE_IPV4 ? 2 : 4));
    out.wireLength =
      ipLength === 0
        ? out.capturedLength
        : ipOffset - frameOffset + ipLength + (etherType === ETHERTYPE_IPV4 ? 0 : IPV6_HEADER_LENGTH);
  }
  pos += UDP_HEADER_LENGTH;

  // RFC 7348 §5 VXLAN
  if (udpEnd - pos < VXLAN_HEADER_LENGTH) {
    return fail(out, depth, 'vxlan', 'truncated', pos);
  }
  if (outer) {
    const flags = buf[pos];
    out.vxlanOffset = pos;
    out.flags = flags;
    out.vniValid = (flags & VXLAN_FLAG_I) !== 0;
    out.reservedBitsSet = (flags & ~VXLAN_FLAG_I) !== 0 || u24(buf, pos + 1) !== 0 || buf[pos + 7] !== 0;
    out.vni = u24(buf, pos + 4);
    out.groupPolicyId = (flags & VXLAN_FLAG_GBP) !== 0 ? u16(buf, pos + 2) : -1;
    out.innerOffset = pos + VXLAN_HEADER_LENGTH;
    out.innerLength = udpEnd - out.innerOffset;
  }
  pos += VXLAN_HEADER_LENGTH;

  // Inner Ethernet and its tags
  if (udpEnd - pos < ETHERNET_HEADER_LENGTH) {
    return fail(out, depth, 'ethernet', 'truncated', pos);
  }
  let innerEtherType = u16(buf, pos + 12);
  if (outer) {
    out.innerDstMacOffset = pos;
    out.innerSrcMacOffset = pos + 6;
  }
  pos += ETHERNET_HEADER_LENGTH;
  let innerVlanId = -1;
  while (innerEtherType === ETHERTYPE_VLAN || innerEtherType === ETHERTYPE_QINQ) {
    if (udpEnd - pos < VLAN_TAG_LENGTH) {
      return fail(out, depth, 'vlan', 'truncated', pos);
    }
    if (innerVlanId < 0) {
      innerVlanId = u16(buf, pos) & 0x0fff;
    }
    innerEtherType = u16(buf, pos + 2);
    pos += VLAN_TAG_LENGTH;
  }
  if (outer) {
    out.innerEtherType = innerEtherType;
    out.innerVlanId = innerVlanId;
    out.innerPayloadOffset = pos;
  } else {
    out.nestedVxlan++;
  }
  // An inner IPv4 header that is there and does not carry UDP cannot hold VXLAN: skip the call
  // (it would return false and change nothing; the common case, inner TCP).
  if (
    depth < maxDepth &&
    (innerEtherType === ETHERTYPE_IPV4
      ? udpEnd - pos < IPV4_MIN_HEADER_LENGTH || buf[pos + 9] === IP_PROTOCOL_UDP
      : innerEtherType === ETHERTYPE_IPV6)
  ) {
    decodeTunnel(buf, frameOffset, pos, udpEnd, innerEtherType, ports, out, depth + 1, maxDepth);
  }
  return true;
}

/** Records a failure of the outermost decode (nested ones fail silently) and returns false. */
function fail(
  out: VxlanFrameInfo,
  depth: number,
  layer: DecodeErrorLayer,
  reason: DecodeErrorReason,
  offset: number,
): false {
  if (depth === 0) {
    out.error = reason;
    out.errorLayer = layer;
    out.errorOffset = offset;
  }
  return false;
}
