// RFC 8200 §3 — IPv6 header (40 bytes), followed by extension headers (§4)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version| Traffic Class |           Flow Label                  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         Payload Length        |  Next Header  |   Hop Limit   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                                                               |
// +                  Source Address (128)                         +
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                                                               |
// +                Destination Address (128)                      +
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Hop-by-Hop (0), Routing (43) and Destination Options (60) share this shape (§4.3, §4.4, §4.6):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Next Header  |  Hdr Ext Len  |  (Hdr Ext Len + 1) × 8 bytes  ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Fragment header (44, §4.5), 8 bytes:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         Identification                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A Payload Length of 0 announces a jumbogram (RFC 2675); Linux BIG TCP hands such packets to pcap
// with or without the Jumbo option, so like tcpdump the captured length is taken as the packet length.
import { u16, u32 } from './bytes';
import { DecodeError, need } from './decode-error';
import { IP_PROTOCOL_HOPOPTS, IP_PROTOCOL_IPV6_FRAG, IP_PROTOCOL_IPV6_OPTS, IP_PROTOCOL_IPV6_ROUTE } from './ipv4';
import { NEXT_FRAGMENT, type Decoded } from './layer';

export const IPV6_HEADER_LENGTH = 40;
const FRAGMENT_HEADER_LENGTH = 8;

export interface Ipv6ExtensionHeader {
  /** Protocol number that announced this header (0, 43, 44 or 60). */
  readonly type: number;
  readonly offset: number;
  readonly length: number;
}

export interface Ipv6Fragment {
  /** Fragment Offset, converted from 8-byte units to bytes. */
  readonly fragmentOffset: number;
  /** M flag: more fragments follow. */
  readonly moreFragments: boolean;
  readonly identification: number;
}

export interface Ipv6Header {
  readonly version: 6;
  readonly trafficClass: number;
  readonly flowLabel: number;
  /** Payload Length as on the wire; 0 for jumbograms and BIG TCP. */
  readonly payloadLength: number;
  /** Next Header of the fixed header (may name an extension header). */
  readonly nextHeader: number;
  readonly hopLimit: number;
  /** Offset of the 16-byte Source Address (format with `formatIpv6`). */
  readonly srcOffset: number;
  /** Offset of the 16-byte Destination Address. */
  readonly dstOffset: number;
  /** Extension headers walked, in order. */
  readonly extensionHeaders: readonly Ipv6ExtensionHeader[];
  /** Upper-layer protocol after the extension headers. */
  readonly protocol: number;
  /** Set when a Fragment header was present. */
  readonly fragment: Ipv6Fragment | undefined;
}

/** Decodes an IPv6 header and walks its Hop-by-Hop, Routing, Fragment and Destination Options headers. */
export function decodeIpv6(buf: Uint8Array, offset: number, end = buf.length): Decoded<Ipv6Header> {
  need(buf, offset, IPV6_HEADER_LENGTH, 'ipv6', end);
  const version = buf[offset] >> 4;
  if (version !== 6) {
    throw new DecodeError('ipv6', 'bad-version', offset, 6, version);
  }
  const payloadLength = u16(buf, offset + 4);
  let payloadEnd = payloadLength === 0 ? end : offset + IPV6_HEADER_LENGTH + payloadLength;
  const truncated = payloadEnd > end;
  if (truncated) {
    payloadEnd = end;
  }
  const nextHeader = buf[offset + 6];
  const extensionHeaders: Ipv6ExtensionHeader[] = [];
  let fragment: Ipv6Fragment | undefined;
  let protocol = nextHeader;
  let pos = offset + IPV6_HEADER_LENGTH;
  for (;;) {
    if (protocol === IP_PROTOCOL_IPV6_FRAG) {
      need(buf, pos, FRAGMENT_HEADER_LENGTH, 'ipv6', payloadEnd);
      const word = u16(buf, pos + 2);
      fragment = { fragmentOffset: word & 0xfff8, moreFragments: (word & 1) !== 0, identification: u32(buf, pos + 4) };
      extensionHeaders.push({ type: protocol, offset: pos, length: FRAGMENT_HEADER_LENGTH });
      protocol = buf[pos];
      pos += FRAGMENT_HEADER_LENGTH;
    } else if (
      protocol === IP_PROTOCOL_HOPOPTS ||
      protocol === IP_PROTOCOL_IPV6_ROUTE ||
      protocol === IP_PROTOCOL_IPV6_OPTS
    ) {
      need(buf, pos, 2, 'ipv6', payloadEnd);
      const length = (buf[pos + 1] + 1) << 3;
      need(buf, pos, length, 'ipv6', payloadEnd);
      extensionHeaders.push({ type: protocol, offset: pos, length });
      protocol = buf[pos];
      pos += length;
    } else {
      break;
    }
  }
  const word0 = u32(buf, offset);
  return {
    header: {
      version: 6,
      trafficClass: (word0 >>> 20) & 0xff,
      flowLabel: word0 & 0xfffff,
      payloadLength,
      nextHeader,
      hopLimit: buf[offset + 7],
      srcOffset: offset + 8,
      dstOffset: offset + 24,
      extensionHeaders,
      protocol,
      fragment,
    },
    payloadOffset: pos,
    payloadEnd,
    truncated,
    next:
      fragment !== undefined && fragment.fragmentOffset !== 0
        ? NEXT_FRAGMENT
        : { kind: 'ip-protocol', value: protocol },
  };
}
