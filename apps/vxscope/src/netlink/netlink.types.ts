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

// Requests that change the kernel (NetlinkSource's mutation methods). Plain data as well: the daemon
// sends them to the collector in the namespace over IPC. Addresses are text: `10.0.0.1`, `fd00::1`,
// MACs `02:00:00:00:00:01`, prefixes `10.0.0.1/24` (no prefix length means a host address).

/** `ip link add NAME type vxlan id VNI dstport PORT [local] [remote|group] [dev] [ttl] [no]learning` */
export interface VxlanSpec {
  /** IFLA_VXLAN_ID, 0..16777215 */
  readonly vni: number;
  /** IFLA_VXLAN_PORT: UDP destination port */
  readonly port: number;
  /** IFLA_VXLAN_LOCAL / LOCAL6 */
  readonly local?: string;
  /** IFLA_VXLAN_GROUP / GROUP6 holding a unicast default remote VTEP; excludes `group` */
  readonly remote?: string;
  /** IFLA_VXLAN_GROUP / GROUP6 holding a multicast group; excludes `remote`, usually wants `underlayIfindex` */
  readonly group?: string;
  /** IFLA_VXLAN_LINK: the underlay device */
  readonly underlayIfindex?: number;
  /** IFLA_VXLAN_LEARNING */
  readonly learning: boolean;
  /** IFLA_VXLAN_TTL, 1..255; absent = kernel default */
  readonly ttl?: number;
}

/** `ip link set`: only the fields given change. */
export interface LinkSettings {
  /** IFF_UP in ifi_flags/ifi_change */
  readonly up?: boolean;
  /** IFLA_MASTER: the bridge's ifindex; `null` = `nomaster` */
  readonly master?: number | null;
  /** IFLA_MTU */
  readonly mtu?: number;
  /** IFLA_ADDRESS */
  readonly mac?: string;
}

/**
 * How RTM_NEWNEIGH treats an existing entry, as `bridge fdb append|replace|add`:
 * `append` adds one more remote (only the all-zeros and multicast MACs of a vxlan device hold several),
 * `replace` creates or overwrites, `add` fails with EEXIST when the entry exists.
 */
export type FdbWriteMode = 'append' | 'replace' | 'add';

/** `bridge fdb MODE MAC dev IFINDEX [dst] [vni] [port] [self|master] [permanent|dynamic]` */
export interface FdbAddSpec {
  readonly ifindex: number;
  readonly mac: string;
  /** NDA_DST: remote VTEP (vxlan devices) */
  readonly dst?: string;
  /** NDA_VNI; absent = the device's VNI */
  readonly vni?: number;
  /** NDA_PORT; absent = the device's dstport */
  readonly port?: number;
  readonly mode: FdbWriteMode;
  /** true: NUD_PERMANENT|NUD_NOARP, as `bridge fdb add` without a state keyword; false: `dynamic`, ages out */
  readonly permanent: boolean;
  /** true: NTF_SELF, the device's own table (vxlan entries); false: NTF_MASTER, the table of the bridge the port is in */
  readonly self: boolean;
}

/** `bridge fdb del MAC dev IFINDEX [dst] [vni] [port] [self|master]`; with `dst`, removes only that remote. */
export interface FdbDeleteSpec {
  readonly ifindex: number;
  readonly mac: string;
  readonly dst?: string;
  readonly vni?: number;
  /** NDA_PORT; needed with `dst` when the remote was added with a port other than the device's dstport */
  readonly port?: number;
  /** Default true (NTF_SELF), as `bridge fdb del`; false = NTF_MASTER */
  readonly self?: boolean;
}
