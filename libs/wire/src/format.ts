// Display formatting, for the API/UI edge only: decoders keep addresses as numbers and offsets.

function hex2(byte: number): string {
  return (byte < 16 ? '0' : '') + byte.toString(16);
}

/** `aa:bb:cc:dd:ee:ff` from the 6 bytes at `offset`. */
export function formatMac(buf: Uint8Array, offset: number): string {
  let s = hex2(buf[offset]);
  for (let i = 1; i < 6; i++) {
    s += ':' + hex2(buf[offset + i]);
  }
  return s;
}

/** Dotted quad from an unsigned 32-bit address. */
export function formatIpv4(address: number): string;
/** Dotted quad from the 4 bytes at `offset`. */
export function formatIpv4(buf: Uint8Array, offset: number): string;
export function formatIpv4(a: number | Uint8Array, offset = 0): string {
  if (typeof a === 'number') {
    return `${Math.floor(a / 0x1000000) & 0xff}.${(a >> 16) & 0xff}.${(a >> 8) & 0xff}.${a & 0xff}`;
  }
  return `${a[offset]}.${a[offset + 1]}.${a[offset + 2]}.${a[offset + 3]}`;
}

/**
 * RFC 5952 text form of the 16 bytes at `offset`: lower case, no leading zeros, the longest run
 * (first on a tie) of two or more zero groups as `::`, and IPv4-mapped addresses as `::ffff:a.b.c.d`.
 */
export function formatIpv6(buf: Uint8Array, offset: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) {
    groups.push((buf[offset + 2 * i] << 8) | buf[offset + 2 * i + 1]);
  }
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${formatIpv4(buf, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) {
      j++;
    }
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const text = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  return bestStart < 0 ? text(0, 8) : `${text(0, bestStart)}::${text(bestStart + bestLength, 8)}`;
}
