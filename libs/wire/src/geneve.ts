// RFC 8926 §3.4 — Generic Network Virtualization Encapsulation header (8 bytes + options, UDP 6081)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |        Virtual Network Identifier (VNI)       |    Reserved   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    Variable-Length Options                    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Each option (§3.5):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |          Option Class         |      Type     |R|R|R| Length  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |              Variable-Length Option Data (Length × 4)         ~
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Protocol Type is an EtherType; 0x6558 (Transparent Ethernet Bridging) means an inner Ethernet frame.
import { u16, u24 } from './bytes';
import { DecodeError, need } from './decode-error';
import type { Decoded } from './layer';

export const GENEVE_HEADER_LENGTH = 8;
export const GENEVE_PORT = 6081;
const OPTION_HEADER_LENGTH = 4;

export interface GeneveOption {
  readonly optionClass: number;
  /** Type; its high bit is the "critical" bit. */
  readonly type: number;
  /** Offset of the option header. */
  readonly offset: number;
  /** Total option length in bytes, header included. */
  readonly length: number;
}

export interface GeneveHeader {
  /** Ver; only 0 is defined. */
  readonly version: number;
  /** Opt Len × 4, in bytes. */
  readonly optionsLength: number;
  /** O bit: control (OAM) packet. */
  readonly oam: boolean;
  /** C bit: critical options present. */
  readonly critical: boolean;
  readonly protocolType: number;
  readonly vni: number;
  readonly options: readonly GeneveOption[];
}

/** Decodes a GENEVE header and lists its options; unknown versions are rejected (§3.4). */
export function decodeGeneve(buf: Uint8Array, offset: number, end = buf.length): Decoded<GeneveHeader> {
  need(buf, offset, GENEVE_HEADER_LENGTH, 'geneve', end);
  const version = buf[offset] >> 6;
  if (version !== 0) {
    throw new DecodeError('geneve', 'bad-version', offset, 0, version);
  }
  const optionsLength = (buf[offset] & 0x3f) << 2;
  need(buf, offset, GENEVE_HEADER_LENGTH + optionsLength, 'geneve', end);
  const options: GeneveOption[] = [];
  const optionsEnd = offset + GENEVE_HEADER_LENGTH + optionsLength;
  let pos = offset + GENEVE_HEADER_LENGTH;
  while (pos < optionsEnd) {
    const length = OPTION_HEADER_LENGTH + ((buf[pos + 3] & 0x1f) << 2);
    if (optionsEnd - pos < length) {
      throw new DecodeError('geneve', 'bad-option-length', pos, length, optionsEnd - pos);
    }
    options.push({ optionClass: u16(buf, pos), type: buf[pos + 2], offset: pos, length });
    pos += length;
  }
  const protocolType = u16(buf, offset + 2);
  return {
    header: {
      version,
      optionsLength,
      oam: (buf[offset + 1] & 0x80) !== 0,
      critical: (buf[offset + 1] & 0x40) !== 0,
      protocolType,
      vni: u24(buf, offset + 4),
      options,
    },
    payloadOffset: optionsEnd,
    payloadEnd: end,
    truncated: false,
    next: { kind: 'ethertype', value: protocolType },
  };
}
