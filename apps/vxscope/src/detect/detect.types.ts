/**
 * What the wire checks find. Collectors classify frames against the kernel state of their own
 * namespace and send one row per (kind, reason, VNI, VTEP, MAC) per flush; the daemon merges them.
 */

export const DETECTION_KINDS = ['misdirected', 'unknown-unicast', 'unknown-vni', 'port-mismatch', 'mtu', 'header'] as const;
export type DetectionKind = (typeof DETECTION_KINDS)[number];

/** The finer cause under each kind. */
export type DetectionReason =
  /** misdirected: an outbound frame went to another VTEP than the FDB entry of its inner destination MAC. */
  | 'wrong-vtep'
  /** misdirected: a MAC arrives from VTEP Y while a static entry (or one learning cannot fix) sends it to X. */
  | 'stale-entry'
  /** unknown-unicast: an outbound unicast frame with no FDB entry, sent to the default destinations. */
  | 'flooded'
  /** unknown-vni: inbound, no local vxlan device on that port carries the VNI. */
  | 'no-device'
  /** port-mismatch: inbound, no local vxlan device listens on the UDP port. */
  | 'no-listener'
  /** mtu: the inner packet is larger than the vxlan device's MTU. */
  | 'inner-too-large'
  /** mtu: the outer IPv4 datagram is fragmented. */
  | 'outer-fragment'
  /** mtu: an ICMP "fragmentation needed" reached a local VTEP about its VXLAN. */
  | 'icmp-frag-needed'
  /** header: the I flag is clear. */
  | 'no-i-flag'
  /** header: a reserved bit is set. */
  | 'reserved-bits';

/** One collector row: what one capture interface counted for one key since the previous flush. */
export interface WireDetectionRow {
  readonly kind: DetectionKind;
  readonly reason: DetectionReason;
  readonly vni?: number;
  /** The remote VTEP involved: the destination of an outbound frame, the source of an inbound one. */
  readonly vtep?: string;
  /** The inner MAC the check is about (misdirected, unknown-unicast). */
  readonly mac?: string;
  readonly count: number;
  /** Packet timestamps (epoch ms) of the first and last occurrence in this flush. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** One line for people: what was seen and what the kernel holds. */
  readonly detail: string;
}

/** The bus event 'detection': first occurrence of a key at once, then a periodic summary. */
export interface DetectionEvent {
  readonly netns: string;
  readonly kind: DetectionKind;
  /** The finer cause within the kind, as GET /api/detections gives it. */
  readonly reason: DetectionReason;
  readonly vni?: number;
  readonly vtep?: string;
  readonly mac?: string;
  /** Occurrences since the previous event for the same key (the first event: since it began). */
  readonly count: number;
  /** Occurrences since the key was first seen, as GET /api/detections counts them. */
  readonly total: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly detail: string;
}
