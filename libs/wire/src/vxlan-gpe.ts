// draft-ietf-nvo3-vxlan-gpe-13 §3.3 — VXLAN Generic Protocol Extension header (8 bytes, UDP 4790)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |R|R|Ver|I|P|B|O|       Reserved                |Next Protocol  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                VXLAN Network Identifier (VNI) |   Reserved    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Next Protocol: 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS. With the P bit clear the payload is an
// Ethernet frame, as in RFC 7348 (§3.2).
import { u24 } from './bytes';
import { DecodeError, need } from './decode-error';
import type { Decoded, NextHint } from './layer';

export const VXLAN_GPE_HEADER_LENGTH = 8;
export const VXLAN_GPE_PORT = 4790;

export const VXLAN_GPE_NEXT_IPV4 = 1;
export const VXLAN_GPE_NEXT_IPV6 = 2;
export const VXLAN_GPE_NEXT_ETHERNET = 3;
export const VXLAN_GPE_NEXT_NSH = 4;

export interface VxlanGpeHeader {
  readonly flags: number;
  /** Ver (2 bits); only 0 is defined. */
  readonly version: number;
  /** I flag: the VNI is valid. */
  readonly vniValid: boolean;
  /** P flag: the Next Protocol field is valid. */
  readonly nextProtocolPresent: boolean;
  /** B flag: BUM traffic. */
  readonly bum: boolean;
  /** O flag: OAM packet. */
  readonly oam: boolean;
  readonly nextProtocol: number;
  readonly vni: number;
}

const NEXT_ETHERNET: NextHint = { kind: 'layer', layer: 'ethernet' };

/** Decodes a VXLAN-GPE header; only version 0 is accepted (§3.3: drop unknown versions). */
export function decodeVxlanGpe(buf: Uint8Array, offset: number, end = buf.length): Decoded<VxlanGpeHeader> {
  need(buf, offset, VXLAN_GPE_HEADER_LENGTH, 'vxlan-gpe', end);
  const flags = buf[offset];
  const version = (flags >> 4) & 0x03;
  if (version !== 0) {
    throw new DecodeError('vxlan-gpe', 'bad-version', offset, 0, version);
  }
  const nextProtocolPresent = (flags & 0x04) !== 0;
  const nextProtocol = buf[offset + 3];
  return {
    header: {
      flags,
      version,
      vniValid: (flags & 0x08) !== 0,
      nextProtocolPresent,
      bum: (flags & 0x02) !== 0,
      oam: (flags & 0x01) !== 0,
      nextProtocol,
      vni: u24(buf, offset + 4),
    },
    payloadOffset: offset + VXLAN_GPE_HEADER_LENGTH,
    payloadEnd: end,
    truncated: false,
    next: nextProtocolPresent ? { kind: 'vxlan-gpe', value: nextProtocol } : NEXT_ETHERNET,
  };
}
