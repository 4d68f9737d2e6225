// RFC 4443 §2.1 — ICMPv6 message header; every message defined by RFC 4443 and RFC 4861
// has at least 4 more bytes after the checksum, decoded here as the rest of the header (8 bytes)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Type      |     Code      |          Checksum             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          Message body (first word: Identifier/Sequence, MTU…) |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { u16, u32 } from './bytes';
import { need } from './decode-error';
import { NEXT_NONE, type Decoded } from './layer';

export const ICMPV6_HEADER_LENGTH = 8;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
export const ICMPV6_NEIGHBOR_SOLICITATION = 135;
export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;

export interface Icmpv6Header {
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  /** First word of the message body (for echo: Identifier << 16 | Sequence Number). */
  readonly restOfHeader: number;
}

/** Decodes an ICMPv6 header. */
export function decodeIcmpv6(buf: Uint8Array, offset: number, end = buf.length): Decoded<Icmpv6Header> {
  need(buf, offset, ICMPV6_HEADER_LENGTH, 'icmpv6', end);
  return {
    header: {
      type: buf[offset],
      code: buf[offset + 1],
      checksum: u16(buf, offset + 2),
      restOfHeader: u32(buf, offset + 4),
    },
    payloadOffset: offset + ICMPV6_HEADER_LENGTH,
    payloadEnd: end,
    truncated: false,
    next: NEXT_NONE,
  };
}
