import type { LinkInfo } from '../netlink/netlink.types';

export interface CapturePlan {
  /** Interfaces to capture on, sorted. */
  readonly interfaces: readonly string[];
  /** UDP ports decoded as VXLAN: the configured ones plus every local vxlan device's dstport. */
  readonly ports: readonly number[];
  readonly filter: string;
}

/**
 * Decides where to capture: the configured interfaces, or else the underlay device of every vxlan
 * device (IFLA_VXLAN_LINK). A vxlan device without an underlay device sends wherever its route
 * points, so the plan falls back to the "any" pseudo-device for it.
 */
export function planCapture(links: readonly LinkInfo[], configured: readonly string[], configuredPorts: readonly number[]): CapturePlan {
  const byIndex = new Map(links.map((l) => [l.ifindex, l]));
  const ports = new Set(configuredPorts);
  const interfaces = new Set<string>(configured);
  for (const link of links) {
    if (link.vxlan === undefined) {
      continue;
    }
    if (link.vxlan.dstport !== 0) {
      ports.add(link.vxlan.dstport);
    }
    if (configured.length === 0) {
      const underlay = link.vxlan.underlayIfindex !== undefined ? byIndex.get(link.vxlan.underlayIfindex) : undefined;
      interfaces.add(underlay?.name ?? 'any');
    }
  }
  // "any" already sees every device's packets; capturing others too would count frames twice.
  const list = interfaces.has('any') ? ['any'] : [...interfaces].sort();
  const portList = [...ports].sort((a, b) => a - b);
  return { interfaces: list, ports: portList, filter: bpfFilter(portList) };
}

/**
 * VXLAN on the ports, plus what the wire checks need besides: IPv4 fragments after the first (they
 * carry no UDP header, so `port` cannot match them; only the first fragment does) and ICMP
 * "fragmentation needed" (RFC 1191) that a router sends toward a VTEP.
 */
export function bpfFilter(ports: readonly number[]): string {
  return `(udp and (${ports.map((p) => `port ${p}`).join(' or ')})) or (ip[6:2] & 0x1fff != 0 and ip proto 17) or (icmp[0] = 3 and icmp[1] = 4)`;
}
