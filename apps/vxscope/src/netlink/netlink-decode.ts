// Pure helpers that turn raw rtnetlink values into the plain values of netlink.types.ts.
// Constants are from the kernel UAPI headers: linux/if.h (IF_OPER_*), linux/neighbour.h (NTF_*, NUD_*).
// No `netlink` import here, so these are unit-testable and usable from fakes.
import type { NeighFlag, NeighState, OperState } from './netlink.types';

export const AF_INET = 2;
export const AF_BRIDGE = 7;
export const AF_INET6 = 10;

// rtnetlink attributes that netlink 0.3.0 does not know (its parser drops unknown attributes).
export const NDA_NH_ID = 13;
export const NDA_FLAGS_EXT = 15;

/** Netlink attributes are in host byte order unless documented otherwise. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** linux/if.h `enum IF_OPER_*`, indexed by value; the names `ip link` prints, lower-cased. */
const OPER_STATES: readonly OperState[] = [
  'unknown',
  'notpresent',
  'down',
  'lowerlayerdown',
  'testing',
  'dormant',
  'up',
];

/** linux/neighbour.h `NTF_*` (ndm_flags), with the names `bridge fdb` / `ip neigh` use. */
const NEIGH_FLAGS: readonly (readonly [number, NeighFlag])[] = [
  [0x01, 'use'],
  [0x02, 'self'],
  [0x04, 'master'],
  [0x08, 'proxy'],
  [0x10, 'extern_learn'],
  [0x20, 'offloaded'],
  [0x40, 'sticky'],
  [0x80, 'router'],
];

/** linux/neighbour.h `NTF_EXT_*` (NDA_FLAGS_EXT). */
const NEIGH_EXT_FLAGS: readonly (readonly [number, NeighFlag])[] = [
  [0x01, 'managed'],
  [0x02, 'locked'],
  [0x04, 'ext_validated'],
];

/** linux/neighbour.h `NUD_*` (ndm_state). */
const NEIGH_STATES: readonly (readonly [number, NeighState])[] = [
  [0x01, 'incomplete'],
  [0x02, 'reachable'],
  [0x04, 'stale'],
  [0x08, 'delay'],
  [0x10, 'probe'],
  [0x20, 'failed'],
  [0x40, 'noarp'],
  [0x80, 'permanent'],
];

const NUD_NOARP = 0x40;
const NUD_PERMANENT = 0x80;

/** Colon-separated lower-case hex, any length (`aa:bb:cc:dd:ee:ff` for Ethernet). */
export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Formats a 4- or 16-byte network-order address; `undefined` for any other length. */
export function formatIp(bytes: Uint8Array): string | undefined {
  if (bytes.length === 4) {
    return bytes.join('.');
  }
  if (bytes.length === 16) {
    return formatIpv6(bytes);
  }
  return undefined;
}

/**
 * RFC 5952 text form, written the way glibc `inet_ntop` does it (so it matches `ip` and `bridge`):
 * the longest run of two or more zero groups becomes `::` (the first run on a tie), and
 * IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible (`::a.b.c.d`) addresses keep the dotted tail.
 */
function formatIpv6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) {
    words.push((bytes[i] << 8) | bytes[i + 1]);
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) {
      j++;
    }
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) {
    bestStart = -1;
  }
  const embedsIpv4 = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff));
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    if (embedsIpv4 && i === 6) {
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      break;
    }
    out += words[i].toString(16) + (i < 7 ? ':' : '');
  }
  return out;
}

/** IPv4 224.0.0.0/4 or IPv6 ff00::/8. */
export function isMulticastIp(bytes: Uint8Array): boolean {
  if (bytes.length === 4) {
    return (bytes[0] & 0xf0) === 0xe0;
  }
  return bytes.length === 16 && bytes[0] === 0xff;
}

/** True for an all-zero address (the kernel reports an unset VXLAN local/group as 0.0.0.0 or ::). */
export function isUnspecifiedIp(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0);
}

/** A `__be16` attribute such as NDA_PORT or IFLA_VXLAN_PORT. */
export function readBe16(bytes: Uint8Array): number | undefined {
  return bytes.length >= 2 ? (bytes[0] << 8) | bytes[1] : undefined;
}

/** A host-order `u32` attribute such as NDA_VNI, NDA_IFINDEX or IFLA_LINK. */
export function readU32(bytes: Uint8Array): number | undefined {
  if (bytes.length < 4) {
    return undefined;
  }
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, HOST_LITTLE_ENDIAN);
}

/** A host-order `u8` attribute, such as IFLA_VXLAN_TTL_INHERIT. */
export function readU8(bytes: Uint8Array): number | undefined {
  return bytes.length >= 1 ? bytes[0] : undefined;
}

/** `struct ifla_vxlan_port_range { __be16 low; __be16 high; }`; 0/0 means the kernel's default range. */
export function readPortRange(bytes: Uint8Array): { min: number; max: number } | undefined {
  if (bytes.length < 4) {
    return undefined;
  }
  return { min: (bytes[0] << 8) | bytes[1], max: (bytes[2] << 8) | bytes[3] };
}

/** IFLA_OPERSTATE value to name; values newer than this list read as 'unknown'. */
export function operStateName(value: number | undefined): OperState {
  return (value !== undefined && OPER_STATES[value]) || 'unknown';
}

/** `ndm_flags` plus NDA_FLAGS_EXT bits to names, in bit order; unknown bits are dropped. */
export function neighFlagNames(flags: number, extFlags = 0): NeighFlag[] {
  return [...bitNames(flags, NEIGH_FLAGS), ...bitNames(extFlags, NEIGH_EXT_FLAGS)];
}

/** `ndm_state` bits to names, in bit order; NUD_NONE (0) gives `[]`. */
export function neighStateNames(state: number): NeighState[] {
  return bitNames(state, NEIGH_STATES);
}

/** Static FDB/neighbour entries never age out: NUD_PERMANENT or NUD_NOARP. */
export function isStaticState(state: number): boolean {
  return (state & (NUD_PERMANENT | NUD_NOARP)) !== 0;
}

function bitNames<T>(bits: number, table: readonly (readonly [number, T])[]): T[] {
  return table.filter(([bit]) => (bits & bit) !== 0).map(([, name]) => name);
}
