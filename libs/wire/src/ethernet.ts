// Ethernet II (DIX) header, IEEE 802.3-2018 §3.1.1; EtherType values from the IEEE registry (RFC 7042 §3)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  Destination MAC Address (48)                 |
// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                               |                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
// |                     Source MAC Address (48)                   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         EtherType (16)        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// 802.1Q / 802.1ad tag (IEEE 802.1Q-2018 §9.6), 4 bytes after a TPID of 0x8100 (C-tag) or 0x88a8 (S-tag):
//
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | PCP |D|        VID (12)       |         EtherType (16)        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { u16 } from './bytes';
import { need } from './decode-error';
import type { Decoded } from './layer';

/** pcap LINKTYPE_ETHERNET (DLT_EN10MB). */
export const LINKTYPE_ETHERNET = 1;

export const ETHERNET_HEADER_LENGTH = 14;
export const VLAN_TAG_LENGTH = 4;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
/** Transparent Ethernet Bridging (GENEVE and GRE protocol type for an inner Ethernet frame). */
export const ETHERTYPE_TEB = 0x6558;
/** IEEE 802.1Q customer tag. */
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;
/** IEEE 802.1ad service tag (QinQ). */
export const ETHERTYPE_QINQ = 0x88a8;

export interface EthernetHeader {
  /** Destination MAC Address: offset of its 6 bytes (format with `formatMac`). */
  readonly dstOffset: number;
  /** Source MAC Address: offset of its 6 bytes. */
  readonly srcOffset: number;
  /** EtherType; values below 0x0600 are an IEEE 802.3 length instead. */
  readonly etherType: number;
}

export interface VlanHeader {
  /** PCP: Priority Code Point. */
  readonly priority: number;
  /** DEI: Drop Eligible Indicator. */
  readonly dropEligible: boolean;
  /** VID: VLAN Identifier. */
  readonly vlanId: number;
  /** EtherType of what follows the tag. */
  readonly etherType: number;
}

/** Decodes an Ethernet II header. */
export function decodeEthernet(buf: Uint8Array, offset: number, end = buf.length): Decoded<EthernetHeader> {
  need(buf, offset, ETHERNET_HEADER_LENGTH, 'ethernet', end);
  const etherType = u16(buf, offset + 12);
  return {
    header: { dstOffset: offset, srcOffset: offset + 6, etherType },
    payloadOffset: offset + ETHERNET_HEADER_LENGTH,
    payloadEnd: end,
    truncated: false,
    next: { kind: 'ethertype', value: etherType },
  };
}

/** Decodes the 4 bytes of an 802.1Q/802.1ad tag that follow its TPID. */
export function decodeVlan(buf: Uint8Array, offset: number, end = buf.length): Decoded<VlanHeader> {
  need(buf, offset, VLAN_TAG_LENGTH, 'vlan', end);
  const tci = u16(buf, offset);
  const etherType = u16(buf, offset + 2);
  return {
    header: { priority: tci >> 13, dropEligible: (tci & 0x1000) !== 0, vlanId: tci & 0x0fff, etherType },
    payloadOffset: offset + VLAN_TAG_LENGTH,
    payloadEnd: end,
    truncated: false,
    next: { kind: 'ethertype', value: etherType },
  };
}
