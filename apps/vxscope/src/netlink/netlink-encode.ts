// Pure helpers that turn the text of netlink.types.ts requests into rtnetlink attribute bytes.
// The inverse of netlink-decode.ts. No `netlink` import here, so these are unit-testable.

/** A 4- or 16-byte network-order address, or `undefined` if `text` is not a plain IPv4/IPv6 address. */
export function parseIp(text: string): Buffer | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): Buffer | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    return undefined;
  }
  return Buffer.from(parts.map(Number));
}

/** RFC 4291 §2.2 text forms: eight groups, `::` once, an IPv4 dotted tail. No zone (`%eth0`). */
function parseIpv6(text: string): Buffer | undefined {
  const halves = text.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const groups = (half: string): number[] | undefined => {
    if (half === '') {
      return [];
    }
    const out: number[] = [];
    const parts = half.split(':');
    for (const [i, p] of parts.entries()) {
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) {
          return undefined;
        }
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) {
    return undefined;
  }
  // An IPv4 tail is only allowed at the very end.
  if (halves.length === 2 && halves[0].includes('.')) {
    return undefined;
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) {
    return undefined;
  }
  const words = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** `address[/prefixlen]`; without a prefix length, a host address (/32 or /128). */
export function parseCidr(text: string): { address: Buffer; prefixLength: number } | undefined {
  const [ip, prefix, ...rest] = text.split('/');
  const address = parseIp(ip);
  if (!address || rest.length > 0) {
    return undefined;
  }
  const max = address.length * 8;
  if (prefix === undefined) {
    return { address, prefixLength: max };
  }
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
    return undefined;
  }
  return { address, prefixLength: Number(prefix) };
}

/** Six colon-separated hex octets (`02:00:00:00:00:01`). */
export function parseMac(text: string): Buffer | undefined {
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text)) {
    return undefined;
  }
  return Buffer.from(text.split(':').map((b) => parseInt(b, 16)));
}

/** A `__be16` attribute such as IFLA_VXLAN_PORT or NDA_PORT. */
export function be16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

/** A non-negative integer no larger than `max` (checks values that crossed the IPC channel as JSON). */
export function isUint(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}
