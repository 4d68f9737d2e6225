// RFC 2784 §2 — Generic Routing Encapsulation header, with the Key and Sequence Number extensions of
// RFC 2890 §2 (4 bytes + 0..12 optional bytes, IP protocol 47)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |C|R|K|S|    Reserved0    | Ver |         Protocol Type         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      Checksum (optional)      |       Reserved1 (optional)    |  C (or RFC 1701 R) set
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         Key (optional)                        |  K set
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                 Sequence Number (optional)                    |  S set
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Version 1 is the enhanced GRE of PPTP (RFC 2637 §4.1): K is always set and the Key holds the
// payload length and Call ID, and an Acknowledgment Number follows the sequence number when bit 8
// (A) is set. Its payload is PPP, which is not decoded. Versions 2..7 are undefined and rejected.
//
// R (bit 1) is RFC 1701's Routing Present: RFC 2784 §2.3 has receivers discard such packets, and
// the source-route entries it announces (after the sequence number) are not decoded: the walk stops.
//
// Protocol Type is an EtherType (RFC 2784 §2.4). 0x6558 (Transparent Ethernet Bridging) with K set is
// NVGRE (RFC 7637 §3.2): the Key is a 24-bit Virtual Subnet ID and an 8-bit FlowID. 0x88BE is ERSPAN
// (draft-foschiano-erspan-03): Type I has no S bit and no ERSPAN header, the mirrored Ethernet frame
// follows at once; Type II sets S and adds an ERSPAN header, as does Type III under 0x22EB.
import { u16, u32 } from './bytes';
import { DecodeError, need } from './decode-error';
import { ETHERTYPE_TEB } from './ethernet';
import { NEXT_UNSUPPORTED, type Decoded, type NextHint } from './layer';

export const GRE_HEADER_LENGTH = 4;
/** Protocol Type of ERSPAN Type I and II (draft-foschiano-erspan-03). */
export const GRE_PROTOCOL_ERSPAN = 0x88be;
/** Protocol Type of ERSPAN Type III (draft-foschiano-erspan-03). */
export const GRE_PROTOCOL_ERSPAN_III = 0x22eb;

export const GRE_FLAG_C = 0x8000;
const GRE_FLAG_R = 0x4000;
export const GRE_FLAG_K = 0x2000;
export const GRE_FLAG_S = 0x1000;
/** RFC 2637 §4.1 A flag (version 1 only): an Acknowledgment Number is present. */
export const GRE_FLAG_A = 0x0080;
/** Bits 4..12: strict source route and recursion control of RFC 1701, reserved by RFC 2784. */
const GRE_RESERVED0 = 0x0ff8;

export interface GreHeader {
  /** The first 16 bits: flags, Reserved0 and Ver (tshark's `gre.flags_and_version`). */
  readonly flagsAndVersion: number;
  /** Ver: 0 (RFC 2784) or 1 (RFC 2637 enhanced GRE, PPTP). */
  readonly version: number;
  /** C bit: Checksum and Reserved1 are present. */
  readonly checksumPresent: boolean;
  /** R bit (RFC 1701 Routing Present): reserved by RFC 2784; the routing field is not decoded. */
  readonly routingPresent: boolean;
  /** K bit (RFC 2890): a Key is present. */
  readonly keyPresent: boolean;
  /** S bit (RFC 2890): a Sequence Number is present. */
  readonly sequencePresent: boolean;
  /** Some Reserved0 bit is non-zero (bits 4..12; in version 1 not the A flag). Reported, not rejected. */
  readonly reservedBitsSet: boolean;
  /** EtherType of the payload, or an ERSPAN type. */
  readonly protocolType: number;
  /** Checksum (not verified), or -1 when absent. */
  readonly checksum: number;
  /** Reserved1 (RFC 1701's Offset), or -1 when absent. */
  readonly reserved1: number;
  /** Key (32 bits), or -1 when absent. */
  readonly key: number;
  /** Sequence Number, or -1 when absent. */
  readonly sequenceNumber: number;
  /** Version 1 Acknowledgment Number, or -1 when absent. */
  readonly acknowledgmentNumber: number;
  /** NVGRE Virtual Subnet ID (Key >> 8), or -1 when this is not NVGRE (protocol 0x6558 with K, version 0). */
  readonly vsid: number;
  /** NVGRE FlowID (Key & 0xff), or -1. */
  readonly flowId: number;
}

/** ERSPAN Type I: no ERSPAN header, the mirrored Ethernet frame follows the GRE header. */
const NEXT_ETHERNET: NextHint = { kind: 'layer', layer: 'ethernet' };

/** Decodes a GRE header; the registry picks the next layer from the Protocol Type. */
export function decodeGre(buf: Uint8Array, offset: number, end = buf.length): Decoded<GreHeader> {
  need(buf, offset, GRE_HEADER_LENGTH, 'gre', end);
  const flagsAndVersion = u16(buf, offset);
  const version = flagsAndVersion & 0x07;
  if (version > 1) {
    throw new DecodeError('gre', 'bad-version', offset, 0, version);
  }
  const checksumPresent = (flagsAndVersion & GRE_FLAG_C) !== 0;
  const routingPresent = (flagsAndVersion & GRE_FLAG_R) !== 0;
  const keyPresent = (flagsAndVersion & GRE_FLAG_K) !== 0;
  const sequencePresent = (flagsAndVersion & GRE_FLAG_S) !== 0;
  const ackPresent = version === 1 && (flagsAndVersion & GRE_FLAG_A) !== 0;
  // RFC 1701: Checksum and Offset are both present when either C or R is set.
  const checksumWord = checksumPresent || routingPresent;
  const length =
    GRE_HEADER_LENGTH +
    (checksumWord ? 4 : 0) +
    (keyPresent ? 4 : 0) +
    (sequencePresent ? 4 : 0) +
    (ackPresent ? 4 : 0);
  need(buf, offset, length, 'gre', end);
  const protocolType = u16(buf, offset + 2);
  let pos = offset + GRE_HEADER_LENGTH;
  let checksum = -1;
  let reserved1 = -1;
  if (checksumWord) {
    checksum = u16(buf, pos);
    reserved1 = u16(buf, pos + 2);
    pos += 4;
  }
  let key = -1;
  if (keyPresent) {
    key = u32(buf, pos);
    pos += 4;
  }
  let sequenceNumber = -1;
  if (sequencePresent) {
    sequenceNumber = u32(buf, pos);
    pos += 4;
  }
  const acknowledgmentNumber = ackPresent ? u32(buf, pos) : -1;
  const nvgre = version === 0 && keyPresent && protocolType === ETHERTYPE_TEB;
  let next: NextHint;
  if (version === 1 || routingPresent) {
    next = NEXT_UNSUPPORTED;
  } else if (protocolType === GRE_PROTOCOL_ERSPAN && !sequencePresent) {
    next = NEXT_ETHERNET;
  } else {
    next = { kind: 'gre-protocol', value: protocolType };
  }
  return {
    header: {
      flagsAndVersion,
      version,
      checksumPresent,
      routingPresent,
      keyPresent,
      sequencePresent,
      reservedBitsSet: (flagsAndVersion & (version === 1 ? GRE_RESERVED0 & ~GRE_FLAG_A : GRE_RESERVED0)) !== 0,
      protocolType,
      checksum,
      reserved1,
      key,
      sequenceNumber,
      acknowledgmentNumber,
      vsid: nvgre ? key >>> 8 : -1,
      flowId: nvgre ? key & 0xff : -1,
    },
    payloadOffset: offset + length,
    payloadEnd: end,
    truncated: false,
    next,
  };
}
