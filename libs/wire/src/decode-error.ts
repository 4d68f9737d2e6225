import type { LayerType } from './layer';

/** Layers a `DecodeError` can name: the protocol layers plus the link-type switch and the capture file formats. */
export type DecodeErrorLayer = Exclude<LayerType, 'payload'> | 'link' | 'pcap' | 'pcapng';

/**
 * Machine-readable cause, stable enough to use as a metrics label.
 * - `truncated`: fewer bytes than the header needs (`needed` vs `available`).
 * - `bad-version`: IP version nibble, GENEVE/VXLAN-GPE/GRE/ERSPAN version or pcap version not understood (`needed` = expected, `available` = found).
 * - `bad-header-length`: a header-length field smaller than the fixed header (IPv4 IHL, TCP data offset).
 * - `bad-total-length`: IPv4 total length smaller than its own header.
 * - `bad-length`: any other length field that cannot be right (UDP length 1..7, a pcap record larger than its block).
 * - `bad-option-length`: a TLV option overrunning its options area (GENEVE).
 * - `bad-magic`: not a pcap/pcapng file, or an unknown byte-order magic.
 * - `bad-block-length`: a pcapng block length that is not a multiple of 4 or below 12.
 * - `unknown-interface`: a pcapng packet referring to an interface that has no IDB.
 * - `unsupported-link-type`: the hot path was given a link type it does not decode.
 */
export type DecodeErrorReason =
  | 'truncated'
  | 'bad-version'
  | 'bad-header-length'
  | 'bad-total-length'
  | 'bad-length'
  | 'bad-option-length'
  | 'bad-magic'
  | 'bad-block-length'
  | 'unknown-interface'
  | 'unsupported-link-type';

/**
 * The only error a decoder throws. It says which layer failed, where, and which sizes were involved,
 * e.g. `ipv4: truncated at offset 14 (needed 20 bytes, 6 available)`.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';

  constructor(
    readonly layer: DecodeErrorLayer,
    readonly reason: DecodeErrorReason,
    /** Offset of the failing header in the buffer that was decoded. */
    readonly offset: number,
    /** Bytes the header needs (`truncated`), or the value the field had to have at least. */
    readonly needed: number,
    /** Bytes that were there (`truncated`), or the value the field had. */
    readonly available: number,
  ) {
    super(
      reason === 'truncated'
        ? `${layer}: truncated at offset ${offset} (needed ${needed} bytes, ${available} available)`
        : `${layer}: ${reason} at offset ${offset} (expected ${needed}, got ${available})`,
    );
  }
}

/**
 * The single length guard every decoder starts with: throws a `truncated` DecodeError unless
 * `length` bytes starting at `offset` lie before `end` (the capture length, not the buffer size).
 */
export function need(buf: Uint8Array, offset: number, length: number, layer: DecodeErrorLayer, end = buf.length): void {
  const available = end - offset;
  if (available < length) {
    throw new DecodeError(layer, 'truncated', offset, length, available > 0 ? available : 0);
  }
}
