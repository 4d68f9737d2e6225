import type { FlowRow } from '../capture/ingest/flow-table';
import type { IngestReport } from '../capture/ingest/ingest';
import type { MacSighting } from '../capture/ingest/mac-table';
import type { RecentPacket } from '../capture/ingest/packet-ring';
import type { WireDetectionRow } from '../detect/detect.types';
import type {
  FdbAddSpec,
  FdbDeleteSpec,
  FdbEntry,
  LinkSettings,
  LinkInfo,
  NeighEntry,
  NetlinkEvent,
  VxlanSpec,
} from '../netlink/netlink.types';
import type { VtepRouteLookup } from '../netlink/route.types';

/**
 * Messages between the daemon and a collector child process (one per watched network namespace).
 * They travel as JSON over the Node IPC channel, so every field is plain data.
 */

/** Counters for one VTEP pair in one VNI, accumulated since the previous flush. */
export interface PairDelta {
  readonly vni: number;
  readonly src: string;
  readonly dst: string;
  readonly dstPort: number;
  readonly packets: number;
  readonly bytes: number;
  /** Epoch ms of the first and last packet in this flush window. */
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** One capture interface's state: libpcap's own counters are cumulative for the session. */
export interface InterfaceCaptureStats {
  readonly name: string;
  readonly linkType: string;
  readonly filter: string;
  readonly snaplen: number;
  /** libpcap's own counters (ps_recv, ps_drop, ps_ifdrop) since the session opened. */
  readonly pcapReceived: number;
  readonly pcapDropped: number;
  readonly ifDropped: number;
  /** The inner flows with the most bytes since the session opened, and the flow table's health. */
  readonly topFlows: readonly FlowRow[];
  readonly flowsTracked: number;
  readonly flowEvictions: number;
  readonly macEvictions: number;
  readonly pairEvictions: number;
}

/** What one interface captured since the previous flush. */
export interface InterfaceDelta {
  readonly name: string;
  readonly report: IngestReport;
  /** Inner MACs first seen, or seen behind another VTEP, since the previous flush. */
  readonly macs: readonly MacSighting[];
  /** A few recent frames per VNI, for the packet inspector and pcap export. */
  readonly packets: readonly RecentPacket[];
  /** What the wire checks found against the kernel state since the previous flush; absent when nothing. */
  readonly detections?: readonly WireDetectionRow[];
}

/**
 * The rtnetlink changes a collector makes in its namespace for the daemon (a netlink socket acts in
 * the namespace of the process that opened it). Op name → arguments and result; each op is the
 * NetlinkSource method of the same name.
 */
export interface NetlinkOps {
  createBridge: { args: { readonly name: string }; result: number };
  createVxlan: { args: { readonly name: string } & VxlanSpec; result: number };
  setLink: { args: { readonly ifindex: number } & LinkSettings; result: void };
  deleteLink: { args: { readonly ifindex: number }; result: void };
  changeVxlanLearning: { args: { readonly ifindex: number; readonly learning: boolean }; result: void };
  addAddress: { args: { readonly ifindex: number; readonly cidr: string }; result: void };
  deleteAddress: { args: { readonly ifindex: number; readonly cidr: string }; result: void };
  addFdb: { args: FdbAddSpec; result: void };
  deleteFdb: { args: FdbDeleteSpec; result: void };
}

export type NetlinkOp = keyof NetlinkOps;

/** One request per op, so `op` and `args` always match. */
export type NetlinkRequest = {
  readonly [K in NetlinkOp]: {
    readonly type: 'netlink.request';
    readonly id: number;
    readonly op: K;
    readonly args: NetlinkOps[K]['args'];
  };
}[NetlinkOp];

/** `result` is the new ifindex for create ops, absent otherwise. On failure, `code`/`errno` as NetlinkError has them. */
export type NetlinkReply =
  | { readonly type: 'netlink.reply'; readonly id: number; readonly ok: true; readonly result?: number }
  | {
      readonly type: 'netlink.reply';
      readonly id: number;
      readonly ok: false;
      readonly error: string;
      readonly op?: string;
      readonly code?: string;
      readonly errno?: number;
    };

export type CollectorMessage =
  | { readonly type: 'ready'; readonly pid: number }
  | { readonly type: 'links.snapshot'; readonly links: readonly LinkInfo[] }
  | { readonly type: 'fdb.snapshot'; readonly entries: readonly FdbEntry[] }
  /** IPv4 ARP and IPv6 ND neighbours; sent after links and FDB on every (re)dump. */
  | { readonly type: 'neigh.snapshot'; readonly entries: readonly NeighEntry[] }
  /** The route toward every remote VTEP; sent when a lookup's answer changed. */
  | { readonly type: 'routes.snapshot'; readonly routes: readonly VtepRouteLookup[] }
  | { readonly type: 'netlink.event'; readonly event: NetlinkEvent }
  | { readonly type: 'capture.delta'; readonly at: number; readonly interfaces: readonly InterfaceDelta[] }
  | { readonly type: 'capture.stats'; readonly interfaces: readonly InterfaceCaptureStats[] }
  | { readonly type: 'capture.error'; readonly interface: string; readonly message: string }
  | { readonly type: 'log'; readonly level: 'log' | 'warn' | 'error'; readonly message: string }
  | NetlinkReply;

export type DaemonMessage = { readonly type: 'stop' } | NetlinkRequest;

/** What the daemon passes to a collector on its command line (JSON in argv[2]). */
export interface CollectorOptions {
  readonly interfaces: readonly string[];
  readonly ports: readonly number[];
  readonly snaplen: number;
  readonly bufferTimeoutMs: number;
  readonly flushIntervalMs: number;
  /** Re-dump links, FDB and neighbours this often, so that changes missed while blind become events; absent = never. */
  readonly resyncIntervalMs?: number;
}
