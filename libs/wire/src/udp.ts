// RFC 768 — User Datagram Protocol header (8 bytes)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          Source Port          |       Destination Port        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |             Length            |           Checksum            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A Length of 0 is what Linux UDP GSO / BIG TCP super-packets carry (and RFC 2675 §4 jumbograms):
// the datagram then runs to the end of the IP payload.
import { u16 } from './bytes';
import { DecodeError, need } from './decode-error';
import type { Decoded } from './layer';

export const UDP_HEADER_LENGTH = 8;

export interface UdpHeader {
  readonly srcPort: number;
  readonly dstPort: number;
  /** Length as on the wire (header + data); 0 for GSO super-packets. */
  readonly length: number;
  /** Checksum (0 = none, the usual case for VXLAN over IPv4). */
  readonly checksum: number;
}

/** Decodes a UDP header; the registry picks the next layer from the ports, destination first. */
export function decodeUdp(buf: Uint8Array, offset: number, end = buf.length): Decoded<UdpHeader> {
  need(buf, offset, UDP_HEADER_LENGTH, 'udp', end);
  const srcPort = u16(buf, offset);
  const dstPort = u16(buf, offset + 2);
  const length = u16(buf, offset + 4);
  if (length !== 0 && length < UDP_HEADER_LENGTH) {
    throw new DecodeError('udp', 'bad-length', offset, UDP_HEADER_LENGTH, length);
  }
  let payloadEnd = length === 0 ? end : offset + length;
  const truncated = payloadEnd > end;
  if (truncated) {
    payloadEnd = end;
  }
  return {
    header: { srcPort, dstPort, length, checksum: u16(buf, offset + 6) },
    payloadOffset: offset + UDP_HEADER_LENGTH,
    payloadEnd,
    truncated,
    next: { kind: 'udp-ports', srcPort, dstPort },
  };
}
