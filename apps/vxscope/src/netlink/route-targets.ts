import type { FdbEntry, LinkInfo } from './netlink.types';
import type { RouteTarget } from './route.types';

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

/**
 * The remote VTEPs whose routes matter: every vxlan device's default remote or multicast group, and
 * every FDB destination. Each lookup is pinned to the underlay device the vxlan driver would use for
 * it (the entry's `via`, else the device's `dev`), as the driver itself routes with that oif.
 * Sorted by address; the first device naming an address decides its oif.
 */
export function routeTargets(
  links: ReadonlyMap<number, LinkInfo>,
  fdb: Iterable<Pick<FdbEntry, 'ifindex' | 'dst' | 'viaIfindex'>>,
): RouteTarget[] {
  const targets = new Map<string, RouteTarget>();
  const add = (destination: string | undefined, oif: number | undefined): void => {
    if (destination === undefined || UNSPECIFIED.has(destination) || targets.has(destination)) {
      return;
    }
    targets.set(destination, oif === undefined ? { destination } : { destination, oif });
  };
  for (const link of links.values()) {
    add(link.vxlan?.remote, link.vxlan?.underlayIfindex);
    add(link.vxlan?.group, link.vxlan?.underlayIfindex);
  }
  for (const entry of fdb) {
    add(entry.dst, entry.viaIfindex ?? links.get(entry.ifindex)?.vxlan?.underlayIfindex);
  }
  return [...targets.values()].sort((a, b) => a.destination.localeCompare(b.destination));
}
