// Big-endian (network order) reads straight off the bytes, as RFC 1700 "Data Notations" prescribes.
// Internal helpers: callers check bounds first (with `need()` or explicit length tests).

/** Unsigned 16-bit big-endian value at `off`. */
export function u16(buf: Uint8Array, off: number): number {
  return (buf[off] << 8) | buf[off + 1];
}

/** Unsigned 24-bit big-endian value at `off` (VXLAN and GENEVE VNIs). */
export function u24(buf: Uint8Array, off: number): number {
  return (buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2];
}

/** Unsigned 32-bit big-endian value at `off`; the multiplication keeps bit 31 from turning the result negative. */
export function u32(buf: Uint8Array, off: number): number {
  return buf[off] * 0x1000000 + ((buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]);
}
