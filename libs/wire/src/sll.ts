// Linux "cooked" capture headers, used by libpcap for the `any` device
// (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and LINKTYPE_LINUX_SLL2.html)
//
// LINKTYPE_LINUX_SLL (113), 16 bytes:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |        Packet type (16)       |      ARPHRD_ type (16)        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Link-layer address length (16)|                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
// |                  Link-layer address (64)                      |
// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                               |       Protocol type (16)      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// LINKTYPE_LINUX_SLL2 (276), 20 bytes:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |       Protocol type (16)      |         Reserved (16)         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     Interface index (32)                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      ARPHRD_ type (16)        |Pkt type (8)   |Addr length (8)|
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  Link-layer address (64)                      |
// +                                                               +
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { u16, u32 } from './bytes';
import { need } from './decode-error';
import type { Decoded } from './layer';

export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;
export const SLL_HEADER_LENGTH = 16;
export const SLL2_HEADER_LENGTH = 20;

export interface SllHeader {
  /** Packet type: 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. */
  readonly packetType: number;
  /** ARPHRD_ type of the interface (1 = Ethernet). */
  readonly arphrdType: number;
  /** Link-layer address length (bytes used of the 8-byte field). */
  readonly addressLength: number;
  /** Offset of the link-layer address field. */
  readonly addressOffset: number;
  /** Protocol type: an EtherType for ARPHRD_ETHER interfaces. */
  readonly protocol: number;
}

export interface Sll2Header extends SllHeader {
  /** Interface index the packet was seen on. */
  readonly interfaceIndex: number;
}

/** Decodes a LINKTYPE_LINUX_SLL header. */
export function decodeSll(buf: Uint8Array, offset: number, end = buf.length): Decoded<SllHeader> {
  need(buf, offset, SLL_HEADER_LENGTH, 'sll', end);
  const protocol = u16(buf, offset + 14);
  return {
    header: {
      packetType: u16(buf, offset),
      arphrdType: u16(buf, offset + 2),
      addressLength: u16(buf, offset + 4),
      addressOffset: offset + 6,
      protocol,
    },
    payloadOffset: offset + SLL_HEADER_LENGTH,
    payloadEnd: end,
    truncated: false,
    next: { kind: 'ethertype', value: protocol },
  };
}

/** Decodes a LINKTYPE_LINUX_SLL2 header. */
export function decodeSll2(buf: Uint8Array, offset: number, end = buf.length): Decoded<Sll2Header> {
  need(buf, offset, SLL2_HEADER_LENGTH, 'sll2', end);
  const protocol = u16(buf, offset);
  return {
    header: {
      protocol,
      interfaceIndex: u32(buf, offset + 4),
      arphrdType: u16(buf, offset + 8),
      packetType: buf[offset + 10],
      addressLength: buf[offset + 11],
      addressOffset: offset + 12,
    },
    payloadOffset: offset + SLL2_HEADER_LENGTH,
    payloadEnd: end,
    truncated: false,
    next: { kind: 'ethertype', value: protocol },
  };
}
