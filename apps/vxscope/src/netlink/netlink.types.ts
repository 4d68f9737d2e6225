// Plain views of rtnetlink objects. They cross the collector → daemon process boundary as JSON,
// so every field is a string, number, boolean, array or plain object; never a Buffer or bigint.
// Optional fields are left out (not `undefined`/`null`) when the kernel did not send the attribute.

/** IFLA_INFO_KIND; `undefined` on devices without rtnl link ops (loopback, physical NICs). */
export type LinkKind = 'vxlan' | 'bridge' | 'veth' | (string & {}); // `& {}` keeps the literals in completions

/** RFC 2863 operational state (IFLA_OPERSTATE), as `ip link` prints it, lower-cased. */
export type OperState = 'unknown' | 'notpresent' | 'down' | 'lowerlayerdown' | 'testing' | 'dormant' | 'up';

/** IFLA_INFO_DATA of a `vxlan` link. */
export interface VxlanInfo {
  /** IFLA_VXLAN_ID */
  readonly vni: number;
  /** IFLA_VXLAN_LOCAL / LOCAL6; absent when unset */
  readonly local?: string;
  /** IFLA_VXLAN_GROUP / GROUP6 when unicast: the default remote VTEP */
  readonly remote?: string;
  /** IFLA_VXLAN_GROUP / GROUP6 when multicast */
  readonly group?: string;
  /** IFLA_VXLAN_PORT: UDP destination port (4789 IANA, 8472 Linux legacy, 0 = kernel default) */
  readonly dstport: number;
  /** IFLA_VXLAN_LINK: underlay device */
  readonly underlayIfindex?: number;
  /** IFLA_VXLAN_LEARNING */
  readonly learning: boolean;
  /** IFLA_VXLAN_AGEING: FDB entry lifetime in seconds */
  readonly ageing?: number;
  /** IFLA_VXLAN_TTL; 0 = auto */
  readonly ttl?: number;
  /** IFLA_VXLAN_TTL_INHERIT */
  readonly ttlInherit?: boolean;
  /** IFLA_VXLAN_TOS; 1 = inherit */
  readonly tos?: number;
  /** IFLA_VXLAN_PORT_RANGE; 0/0 = the kernel's ephemeral range */
  readonly srcPortMin: number;
  readonly srcPortMax: number;
  /** IFLA_VXLAN_LIMIT: max FDB entries, 0 = unlimited */
  readonly limit?: number;
  readonly proxy: boolean;
  readonly rsc: boolean;
  readonly l2miss: boolean;
  readonly l3miss: boolean;
  /** IFLA_VXLAN_COLLECT_METADATA (`external`, flow-based: no fixed VNI/remote) */
  readonly external: boolean;
  /** IFLA_VXLAN_UDP_CSUM */
  readonly udpCsum?: boolean;
}

export interface LinkInfo {
  readonly ifindex: number;
  /** IFLA_IFNAME */
  readonly name: string;
  readonly kind?: LinkKind;
  /** IFLA_INFO_SLAVE_KIND, e.g. 'bridge' for a bridge port */
  readonly slaveKind?: string;
  /** IFLA_MTU */
  readonly mtu?: number;
  /** IFF_UP */
  readonly adminUp: boolean;
  /** IFF_LOWER_UP */
  readonly lowerUp: boolean;
  readonly operstate: OperState;
  /** IFLA_CARRIER */
  readonly carrier?: boolean;
  /** IFLA_CARRIER_CHANGES */
  readonly carrierChanges?: number;
  /** IFLA_MASTER: ifindex of the bridge (or bond, VRF) this link is enslaved to */
  readonly master?: number;
  /** IFLA_ADDRESS */
  readonly mac?: string;
  /** IFLA_LINK: the veth peer or lower device; in another namespace when `linkNetnsid` is set */
  readonly linkIfindex?: number;
  /** IFLA_LINK_NETNSID */
  readonly linkNetnsid?: number;
  /** present iff kind === 'vxlan' and the kernel sent IFLA_INFO_DATA */
  readonly vxlan?: VxlanInfo;
}

/** NTF_* (ndm_flags) and NTF_EXT_* (NDA_FLAGS_EXT) names; `bridge fdb` prints 'offloaded' as 'offload'. */
export type NeighFlag =
  | 'use'
  | 'self'
  | 'master'
  | 'proxy'
  | 'extern_learn'
  | 'offloaded'
  | 'sticky'
  | 'router'
  | 'managed'
  | 'locked'
  | 'ext_validated';

/** NUD_* (ndm_state) names. */
export type NeighState = 'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe' | 'failed' | 'noarp' | 'permanent';

/** One bridge FDB entry: an AF_BRIDGE neighbour, as `bridge fdb show` lists it. */
export interface FdbEntry {
  readonly mac: string;
  /** ndm_ifindex: the port (or, with the 'self' flag, the device whose own table holds the entry) */
  readonly ifindex: number;
  /** NDA_MASTER: the bridge, for entries in the bridge's table */
  readonly master?: number;
  /** NDA_VLAN */
  readonly vlan?: number;
  /** NDA_DST: remote VTEP of a vxlan entry */
  readonly dst?: string;
  /** NDA_VNI; the kernel sends it only when it differs from the device's VNI */
  readonly vni?: number;
  /** NDA_SRC_VNI */
  readonly srcVni?: number;
  /** NDA_PORT; the kernel sends it only when it differs from the device's dstport */
  readonly port?: number;
  /** NDA_IFINDEX: outgoing underlay device for `dst` (`via` in `bridge fdb`) */
  readonly viaIfindex?: number;
  /** NDA_NH_ID: nexthop group id */
  readonly nhid?: number;
  readonly flags: readonly NeighFlag[];
  readonly state: readonly NeighState[];
  /** permanent or noarp: never ages out */
  readonly isStatic: boolean;
  /** NDA_CACHEINFO ndm_updated, in seconds */
  readonly updatedSecAgo?: number;
  /** NDA_CACHEINFO ndm_used, in seconds */
  readonly usedSecAgo?: number;
}

/** An IPv4 ARP or IPv6 ND neighbour (`ip neigh`). */
export interface NeighEntry {
  readonly family: 4 | 6;
  readonly ip: string;
  readonly ifindex: number;
  /** NDA_LLADDR; absent while incomplete/failed */
  readonly mac?: string;
  readonly flags: readonly NeighFlag[];
  readonly state: readonly NeighState[];
  readonly isStatic: boolean;
}

/**
 * Kernel notifications, one per rtnetlink message.
 * - RTM_NEWNEIGH does not say whether an entry is new or replaced: `fdb.added` / `neigh.added` mean
 *   "added or updated".
 * - vxlan FDB rows are per remote (as in `bridge fdb show`). Only the all-zeros and multicast MACs hold
 *   several remotes; for them `fdb.removed` removes one `dst` while the others stay. A unicast MAC whose
 *   remote changes (`bridge fdb replace`, learning) gets one `fdb.added` with the new `dst`, no removal.
 * - Bridge-table rows carry `master` (NDA_MASTER) and no 'self'/'master' flag; driver rows carry 'self'.
 * - `resync-needed`: notifications were lost or undecodable; dump again. With netlink 0.3.0 a receive
 *   queue overflow (ENOBUFS) aborts the process instead; see NetlinkSourceOptions.eventRecvBufferSize.
 */
export type NetlinkEvent =
  | { readonly type: 'link.changed'; readonly link: LinkInfo }
  | { readonly type: 'link.removed'; readonly ifindex: number; readonly name: string }
  | { readonly type: 'fdb.added'; readonly entry: FdbEntry }
  | { readonly type: 'fdb.removed'; readonly entry: FdbEntry }
  | { readonly type: 'neigh.added'; readonly entry: NeighEntry }
  | { readonly type: 'neigh.removed'; readonly entry: NeighEntry }
  | { readonly type: 'resync-needed'; readonly reason: string };

export type NetlinkEventType = NetlinkEvent['type'];

export type NetlinkEventHandler = (event: NetlinkEvent) => void;
