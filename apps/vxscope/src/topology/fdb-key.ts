import type { FdbEntry } from '../netlink/netlink.types';

const ZERO_MAC = '00:00:00:00:00:00';

/** True for the all-zeros default entry and for group MACs: entries that legitimately list several remotes. */
export function isFloodEntry(mac: string): boolean {
  return mac === ZERO_MAC || (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/**
 * Identity of an FDB entry as the kernel keeps it. A learned unicast MAC has one remote, and when it
 * moves the vxlan driver re-sends RTM_NEWNEIGH with the new dst and no delete for the old, so the
 * destination is not part of the key (a move is an update). Flood entries keep one row per remote.
 */
export function fdbKey(e: FdbEntry): string {
  // Bridge-table entries carry NDA_MASTER and often no NTF_MASTER flag; the device's own table sets NTF_SELF.
  const owner = e.flags.includes('self') ? 'self' : 'master';
  const dst = isFloodEntry(e.mac) ? (e.dst ?? '') : '';
  return `${e.ifindex}|${e.mac}|${e.vlan ?? ''}|${e.vni ?? ''}|${owner}|${dst}`;
}
