// Plain views of route lookups (RTM_GETROUTE for one destination, as `ip route get`). Like
// netlink.types.ts, they cross the collector → daemon boundary as JSON: no Buffers, no bigints.

/** The kernel's answer to RTM_GETROUTE for one destination: the route a packet to it takes now. */
export interface RouteInfo {
  /** The destination asked about (RTA_DST of the request). */
  readonly destination: string;
  readonly family: 4 | 6;
  /** rtm_type as `ip route` names it, lower-cased: 'unicast', 'local', 'multicast', 'blackhole', … */
  readonly type: string;
  /** RTA_OIF: the outgoing device */
  readonly ifindex?: number;
  /** RTA_GATEWAY: the next hop, absent when the destination is on-link */
  readonly gateway?: string;
  /** RTA_PREFSRC: the source address the kernel picks (the `src` of `ip route get`) */
  readonly prefsrc?: string;
  /** RTA_TABLE */
  readonly table?: number;
}

/** Where a route lookup goes: the destination and, when the vxlan device pins one, its underlay device. */
export interface RouteTarget {
  readonly destination: string;
  /** RTA_OIF of the request: the vxlan device's `dev` (IFLA_VXLAN_LINK) or the FDB entry's `via` */
  readonly oif?: number;
}

/** The route toward one remote VTEP, or why there is none (an errno name such as 'ENETUNREACH'). */
export interface VtepRouteLookup {
  readonly vtep: string;
  /** The underlay device the lookup was pinned to, if any. */
  readonly oif?: number;
  readonly route?: RouteInfo;
  readonly error?: string;
}
