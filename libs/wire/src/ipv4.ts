// RFC 791 §3.1 — Internet Protocol version 4 header (20..60 bytes)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version|  IHL  |   DSCP    |ECN|          Total Length         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         Identification        |R|D|M|      Fragment Offset    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Time to Live |    Protocol   |         Header Checksum       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                       Source Address                          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    Destination Address                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    Options                    |    Padding    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// DSCP/ECN per RFC 2474 and RFC 3168. A Total Length of 0 is not valid on the wire, but Linux
// hands BIG TCP / GSO super-packets (RFC 2675 §2 style, > 64 KiB) to pcap that way; like tcpdump,
// the captured length is then taken as the datagram length.
import { u16, u32 } from './bytes';
import { DecodeError, need } from './decode-error';
import { NEXT_FRAGMENT, type Decoded } from './layer';

export const IPV4_MIN_HEADER_LENGTH = 20;

/** IANA Assigned Internet Protocol Numbers (shared by the IPv4 Protocol and IPv6 Next Header fields). */
export const IP_PROTOCOL_HOPOPTS = 0;
export const IP_PROTOCOL_ICMP = 1;
export const IP_PROTOCOL_IPIP = 4;
export const IP_PROTOCOL_TCP = 6;
export const IP_PROTOCOL_UDP = 17;
export const IP_PROTOCOL_IPV6 = 41;
export const IP_PROTOCOL_IPV6_ROUTE = 43;
export const IP_PROTOCOL_IPV6_FRAG = 44;
/** Generic Routing Encapsulation (RFC 2784). */
export const IP_PROTOCOL_GRE = 47;
export const IP_PROTOCOL_ICMPV6 = 58;
export const IP_PROTOCOL_IPV6_NONXT = 59;
export const IP_PROTOCOL_IPV6_OPTS = 60;

export interface Ipv4Header {
  readonly version: 4;
  /** IHL × 4, in bytes. */
  readonly headerLength: number;
  /** DSCP: Differentiated Services Code Point. */
  readonly dscp: number;
  /** ECN: Explicit Congestion Notification. */
  readonly ecn: number;
  /** Total Length as on the wire; 0 for BIG TCP / GSO super-packets. */
  readonly totalLength: number;
  /** Identification. */
  readonly identification: number;
  /** DF: Don't Fragment. */
  readonly dontFragment: boolean;
  /** MF: More Fragments. */
  readonly moreFragments: boolean;
  /** Fragment Offset, converted from 8-byte units to bytes. */
  readonly fragmentOffset: number;
  /** Time to Live. */
  readonly ttl: number;
  /** Protocol (IANA protocol number). */
  readonly protocol: number;
  /** Header Checksum (not verified: offloaded checksums are routinely wrong in captures). */
  readonly checksum: number;
  /** Source Address as an unsigned 32-bit number. */
  readonly src: number;
  /** Destination Address as an unsigned 32-bit number. */
  readonly dst: number;
}

/** Decodes an IPv4 header; a non-first fragment hands off to `fragment` instead of its protocol. */
export function decodeIpv4(buf: Uint8Array, offset: number, end = buf.length): Decoded<Ipv4Header> {
  need(buf, offset, IPV4_MIN_HEADER_LENGTH, 'ipv4', end);
  const version = buf[offset] >> 4;
  if (version !== 4) {
    throw new DecodeError('ipv4', 'bad-version', offset, 4, version);
  }
  const headerLength = (buf[offset] & 0x0f) << 2;
  if (headerLength < IPV4_MIN_HEADER_LENGTH) {
    throw new DecodeError('ipv4', 'bad-header-length', offset, IPV4_MIN_HEADER_LENGTH, headerLength);
  }
  need(buf, offset, headerLength, 'ipv4', end);
  const totalLength = u16(buf, offset + 2);
  if (totalLength !== 0 && totalLength < headerLength) {
    throw new DecodeError('ipv4', 'bad-total-length', offset, headerLength, totalLength);
  }
  let payloadEnd = totalLength === 0 ? end : offset + totalLength;
  const truncated = payloadEnd > end;
  if (truncated) {
    payloadEnd = end;
  }
  const flags = u16(buf, offset + 6);
  const fragmentOffset = (flags & 0x1fff) << 3;
  const protocol = buf[offset + 9];
  return {
    header: {
      version: 4,
      headerLength,
      dscp: buf[offset + 1] >> 2,
      ecn: buf[offset + 1] & 0x03,
      totalLength,
      identification: u16(buf, offset + 4),
      dontFragment: (flags & 0x4000) !== 0,
      moreFragments: (flags & 0x2000) !== 0,
      fragmentOffset,
      ttl: buf[offset + 8],
      protocol,
      checksum: u16(buf, offset + 10),
      src: u32(buf, offset + 12),
      dst: u32(buf, offset + 16),
    },
    payloadOffset: offset + headerLength,
    payloadEnd,
    truncated,
    next: fragmentOffset !== 0 ? NEXT_FRAGMENT : { kind: 'ip-protocol', value: protocol },
  };
}
