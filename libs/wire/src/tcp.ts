// RFC 9293 §3.1 — Transmission Control Protocol header (20..60 bytes)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          Source Port          |       Destination Port        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                        Sequence Number                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    Acknowledgment Number                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Data |       |C|E|U|A|P|R|S|F|                               |
// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
// |       |       |R|E|G|K|H|T|N|N|                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           Checksum            |         Urgent Pointer        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           [Options]                           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { u16, u32 } from './bytes';
import { DecodeError, need } from './decode-error';
import { NEXT_NONE, type Decoded } from './layer';

export const TCP_MIN_HEADER_LENGTH = 20;

export const TCP_FLAG_FIN = 0x01;
export const TCP_FLAG_SYN = 0x02;
export const TCP_FLAG_RST = 0x04;
export const TCP_FLAG_PSH = 0x08;
export const TCP_FLAG_ACK = 0x10;
export const TCP_FLAG_URG = 0x20;
export const TCP_FLAG_ECE = 0x40;
export const TCP_FLAG_CWR = 0x80;

export interface TcpHeader {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly sequenceNumber: number;
  readonly acknowledgmentNumber: number;
  /** Data Offset × 4, in bytes. */
  readonly headerLength: number;
  /** Control bits CWR..FIN as one byte (`TCP_FLAG_*`). */
  readonly flags: number;
  readonly window: number;
  readonly checksum: number;
  readonly urgentPointer: number;
}

/** Decodes a TCP header (options are skipped, not parsed). */
export function decodeTcp(buf: Uint8Array, offset: number, end = buf.length): Decoded<TcpHeader> {
  need(buf, offset, TCP_MIN_HEADER_LENGTH, 'tcp', end);
  const headerLength = (buf[offset + 12] >> 4) << 2;
  if (headerLength < TCP_MIN_HEADER_LENGTH) {
    throw new DecodeError('tcp', 'bad-header-length', offset, TCP_MIN_HEADER_LENGTH, headerLength);
  }
  need(buf, offset, headerLength, 'tcp', end);
  return {
    header: {
      srcPort: u16(buf, offset),
      dstPort: u16(buf, offset + 2),
      sequenceNumber: u32(buf, offset + 4),
      acknowledgmentNumber: u32(buf, offset + 8),
      headerLength,
      flags: buf[offset + 13],
      window: u16(buf, offset + 14),
      checksum: u16(buf, offset + 16),
      urgentPointer: u16(buf, offset + 18),
    },
    payloadOffset: offset + headerLength,
    payloadEnd: end,
    truncated: false,
    next: NEXT_NONE,
  };
}
