/**
 * Returns a deep copy of `value` with every buffer offset (`offset`, `...Offset`, but not the IP
 * `fragmentOffset`) that is not -1 moved by `delta`.
 */
export function shiftOffsets<T>(value: T, delta: number): T {
  if (Array.isArray(value)) {
    return value.map((v: unknown) => shiftOffsets(v, delta)) as T;
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const isOffset = key === 'offset' || (key.endsWith('Offset') && key !== 'fragmentOffset');
    out[key] = isOffset && typeof v === 'number' && v !== -1 ? v + delta : shiftOffsets(v, delta);
  }
  return out as T;
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** `bytes` copied into a larger buffer at `offset`, surrounded by `fill` bytes. */
export function embed(bytes: Uint8Array, offset: number, trailing: number, fill = 0xee): Uint8Array {
  const big = new Uint8Array(offset + bytes.length + trailing).fill(fill);
  big.set(bytes, offset);
  return big;
}
