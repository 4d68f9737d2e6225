// RFC 7348 §5 — VXLAN header (8 bytes), with the Group Based Policy extension
// (draft-smith-vxlan-group-policy-05 §2.1) overlaid on the reserved bits
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |R|R|R|R|I|R|R|R|            Reserved                           |  RFC 7348
// |G|R|R|R|I|R|R|R|R|D|R|R|A|R|R|R|        Group Policy ID        |  GBP
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                VXLAN Network Identifier (VNI) |   Reserved    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// RFC 7348: "The I flag MUST be set to 1 for a valid VNI. The other 7 bits (designated "R") are
// reserved fields and MUST be set to zero on transmission and ignored on receipt." So reserved
// bits are reported, never rejected; a frame without the I flag is decoded and flagged.
import { u16, u24 } from './bytes';
import { need } from './decode-error';
import type { Decoded, NextHint } from './layer';

export const VXLAN_HEADER_LENGTH = 8;
/** IANA-assigned VXLAN port (RFC 7348 §5). */
export const VXLAN_PORT = 4789;
/** Linux's pre-IANA default, still used by flannel and `ip link add type vxlan` without `dstport`. */
export const VXLAN_LINUX_LEGACY_PORT = 8472;

export const VXLAN_FLAG_I = 0x08;
export const VXLAN_FLAG_GBP = 0x80;
const GBP_DONT_LEARN = 0x40;
const GBP_POLICY_APPLIED = 0x08;

export interface VxlanHeader {
  /** The 8 flag bits. */
  readonly flags: number;
  /** I flag: the VNI is valid. */
  readonly vniValid: boolean;
  /** VXLAN Network Identifier (24 bits). */
  readonly vni: number;
  /** The 24-bit Reserved field after the flags (holds GBP bits and Group Policy ID when G is set). */
  readonly reserved1: number;
  /** The 8-bit Reserved field after the VNI. */
  readonly reserved2: number;
  /** Any bit that RFC 7348 reserves is non-zero (including GBP bits: RFC 7348 does not know them). */
  readonly reservedBitsSet: boolean;
  /** GBP G bit: a Group Policy ID is present. */
  readonly groupBasedPolicy: boolean;
  /** GBP D bit: Don't Learn. */
  readonly dontLearn: boolean;
  /** GBP A bit: Policy Applied. */
  readonly policyApplied: boolean;
  /** GBP Group Policy ID, or -1 when the G bit is clear. */
  readonly groupPolicyId: number;
}

const NEXT_ETHERNET: NextHint = { kind: 'layer', layer: 'ethernet' };

/** Decodes a VXLAN header; the payload is always an Ethernet frame. */
export function decodeVxlan(buf: Uint8Array, offset: number, end = buf.length): Decoded<VxlanHeader> {
  need(buf, offset, VXLAN_HEADER_LENGTH, 'vxlan', end);
  const flags = buf[offset];
  const reserved1 = u24(buf, offset + 1);
  const reserved2 = buf[offset + 7];
  const groupBasedPolicy = (flags & VXLAN_FLAG_GBP) !== 0;
  return {
    header: {
      flags,
      vniValid: (flags & VXLAN_FLAG_I) !== 0,
      vni: u24(buf, offset + 4),
      reserved1,
      reserved2,
      reservedBitsSet: (flags & ~VXLAN_FLAG_I) !== 0 || reserved1 !== 0 || reserved2 !== 0,
      groupBasedPolicy,
      dontLearn: groupBasedPolicy && (buf[offset + 1] & GBP_DONT_LEARN) !== 0,
      policyApplied: groupBasedPolicy && (buf[offset + 1] & GBP_POLICY_APPLIED) !== 0,
      groupPolicyId: groupBasedPolicy ? u16(buf, offset + 2) : -1,
    },
    payloadOffset: offset + VXLAN_HEADER_LENGTH,
    payloadEnd: end,
    truncated: false,
    next: NEXT_ETHERNET,
  };
}
