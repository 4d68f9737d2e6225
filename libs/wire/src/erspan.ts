// draft-foschiano-erspan-03 — Cisco's Encapsulated Remote SPAN headers, carried in GRE (see gre.ts)
//
// Type II, 8 bytes, GRE Protocol Type 0x88BE with the S bit set:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Ver  |          VLAN         | COS | En|T|    Session ID     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      Reserved         |                  Index                |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Type III, 12 bytes, GRE Protocol Type 0x22EB:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Ver  |          VLAN         | COS |BSO|T|     Session ID    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                          Timestamp                            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |             SGT               |P|    FT   |   Hw ID   |D|Gra|O|
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// followed, when O is set, by the 8-byte platform specific subheader:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Platf ID |               Platform Specific Info              |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  Platform Specific Info                       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Ver 1 is Type II and Ver 2 Type III, whichever Protocol Type carried them; Type I has no header at
// all (gre.ts goes straight to Ethernet). Type II always mirrors an Ethernet frame; Type III says so
// with FT 0, and other frame types (FT 2 = IP) are not followed.
import { u16, u32 } from './bytes';
import { DecodeError, need } from './decode-error';
import { NEXT_UNSUPPORTED, type Decoded, type NextHint } from './layer';

export const ERSPAN_II_HEADER_LENGTH = 8;
export const ERSPAN_III_HEADER_LENGTH = 12;
/** Platform specific subheader of Type III, present when the O bit is set. */
export const ERSPAN_III_SUBHEADER_LENGTH = 8;
export const ERSPAN_VERSION_II = 1;
export const ERSPAN_VERSION_III = 2;
/** Type III FT: the mirrored frame is Ethernet. */
export const ERSPAN_FRAME_TYPE_ETHERNET = 0;

interface ErspanCommon {
  /** VLAN of the mirrored frame (12 bits). */
  readonly vlan: number;
  /** COS: class of service of the mirrored frame (3 bits). */
  readonly cos: number;
  /** T bit: the mirrored frame was truncated to fit the ERSPAN packet. */
  readonly frameTruncated: boolean;
  /** Session ID (10 bits). */
  readonly sessionId: number;
}

export interface ErspanTypeIIHeader extends ErspanCommon {
  /** Ver 1: Type II. */
  readonly version: 1;
  /** En: how the mirrored frame was encapsulated (0 untagged, 1 ISL, 2 802.1Q, 3 VLAN preserved). */
  readonly encapsulation: number;
  /** The 12 reserved bits. */
  readonly reserved: number;
  /** Index (20 bits): port index of the mirror source. */
  readonly index: number;
}

export interface ErspanTypeIIIHeader extends ErspanCommon {
  /** Ver 2: Type III. */
  readonly version: 2;
  /** BSO: 0 good frame, 1 short, 2 oversized, 3 bad (CRC or alignment error). */
  readonly bso: number;
  /** Timestamp, in units of `granularity`. */
  readonly timestamp: number;
  /** SGT: Security Group Tag of the mirrored frame. */
  readonly sgt: number;
  /** P bit: the mirrored frame is an Ethernet protocol (PDU) frame. */
  readonly pduFrame: boolean;
  /** FT: frame type (0 Ethernet, 2 IP). */
  readonly frameType: number;
  /** Hw ID: the ERSPAN engine's identifier (6 bits). */
  readonly hardwareId: number;
  /** D bit: mirrored on egress (else ingress). */
  readonly egress: boolean;
  /** Gra: timestamp granularity (0 100 µs, 1 100 ns, 2 IEEE 1588, 3 user configurable). */
  readonly granularity: number;
  /** O bit: the platform specific subheader follows. */
  readonly optionalSubheader: boolean;
  /** Platf ID of the subheader (6 bits), or -1 without one; the platform specific info is not decoded. */
  readonly platformId: number;
}

export type ErspanHeader = ErspanTypeIIHeader | ErspanTypeIIIHeader;

const NEXT_ETHERNET: NextHint = { kind: 'layer', layer: 'ethernet' };

/** Decodes an ERSPAN Type II or Type III header (told apart by Ver); other versions are rejected. */
export function decodeErspan(buf: Uint8Array, offset: number, end = buf.length): Decoded<ErspanHeader> {
  need(buf, offset, ERSPAN_II_HEADER_LENGTH, 'erspan', end);
  const word0 = u16(buf, offset);
  const word1 = u16(buf, offset + 2);
  const version = word0 >> 12;
  const common = {
    vlan: word0 & 0x0fff,
    cos: word1 >> 13,
    frameTruncated: (word1 & 0x0400) !== 0,
    sessionId: word1 & 0x03ff,
  };
  const bits = (word1 >> 11) & 0x03;
  if (version === ERSPAN_VERSION_II) {
    const word2 = u32(buf, offset + 4);
    return {
      header: { version, ...common, encapsulation: bits, reserved: word2 >>> 20, index: word2 & 0xfffff },
      payloadOffset: offset + ERSPAN_II_HEADER_LENGTH,
      payloadEnd: end,
      truncated: false,
      next: NEXT_ETHERNET,
    };
  }
  if (version !== ERSPAN_VERSION_III) {
    throw new DecodeError('erspan', 'bad-version', offset, ERSPAN_VERSION_II, version);
  }
  need(buf, offset, ERSPAN_III_HEADER_LENGTH, 'erspan', end);
  const word3 = u16(buf, offset + 10);
  const optionalSubheader = (word3 & 0x0001) !== 0;
  const length = ERSPAN_III_HEADER_LENGTH + (optionalSubheader ? ERSPAN_III_SUBHEADER_LENGTH : 0);
  need(buf, offset, length, 'erspan', end);
  const frameType = (word3 >> 10) & 0x1f;
  return {
    header: {
      version,
      ...common,
      bso: bits,
      timestamp: u32(buf, offset + 4),
      sgt: u16(buf, offset + 8),
      pduFrame: (word3 & 0x8000) !== 0,
      frameType,
      hardwareId: (word3 >> 4) & 0x3f,
      egress: (word3 & 0x0008) !== 0,
      granularity: (word3 >> 1) & 0x03,
      optionalSubheader,
      platformId: optionalSubheader ? buf[offset + ERSPAN_III_HEADER_LENGTH] >> 2 : -1,
    },
    payloadOffset: offset + length,
    payloadEnd: end,
    truncated: false,
    next: frameType === ERSPAN_FRAME_TYPE_ETHERNET ? NEXT_ETHERNET : NEXT_UNSUPPORTED,
  };
}
