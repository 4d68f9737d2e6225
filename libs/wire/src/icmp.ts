// RFC 792 — Internet Control Message Protocol header (8 bytes)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Type      |     Code      |          Checksum             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Rest of header (Identifier | Sequence Number for echo)    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { u16, u32 } from './bytes';
import { need } from './decode-error';
import { NEXT_NONE, type Decoded } from './layer';

export const ICMP_HEADER_LENGTH = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;

export interface IcmpHeader {
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  /** The type-specific second word (for echo: Identifier << 16 | Sequence Number). */
  readonly restOfHeader: number;
}

/** Decodes an ICMP header. */
export function decodeIcmp(buf: Uint8Array, offset: number, end = buf.length): Decoded<IcmpHeader> {
  need(buf, offset, ICMP_HEADER_LENGTH, 'icmp', end);
  return {
    header: {
      type: buf[offset],
      code: buf[offset + 1],
      checksum: u16(buf, offset + 2),
      restOfHeader: u32(buf, offset + 4),
    },
    payloadOffset: offset + ICMP_HEADER_LENGTH,
    payloadEnd: end,
    truncated: false,
    next: NEXT_NONE,
  };
}
