import type { FlowRow } from '../capture/ingest/flow-table';
import type { IngestReport } from '../capture/ingest/ingest';
import type { MacSighting } from '../capture/ingest/mac-table';
import type { RecentPacket } from '../capture/ingest/packet-ring';
import type { FdbEntry, LinkInfo, NetlinkEvent } from '../netlink/netlink.types';

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
}

/** What one interface captured since the previous flush. */
export interface InterfaceDelta {
  readonly name: string;
  readonly report: IngestReport;
  /** Inner MACs first seen, or seen behind another VTEP, since the previous flush. */
  readonly macs: readonly MacSighting[];
  /** A few recent frames per VNI, for the packet inspector and pcap export. */
  readonly packets: readonly RecentPacket[];
}

export type CollectorMessage =
  | { readonly type: 'ready'; readonly pid: number }
  | { readonly type: 'links.snapshot'; readonly links: readonly LinkInfo[] }
  | { readonly type: 'fdb.snapshot'; readonly entries: readonly FdbEntry[] }
  | { readonly type: 'netlink.event'; readonly event: NetlinkEvent }
  | { readonly type: 'capture.delta'; readonly at: number; readonly interfaces: readonly InterfaceDelta[] }
  | { readonly type: 'capture.stats'; readonly interfaces: readonly InterfaceCaptureStats[] }
  | { readonly type: 'capture.error'; readonly interface: string; readonly message: string }
  | { readonly type: 'log'; readonly level: 'log' | 'warn' | 'error'; readonly message: string };

export type DaemonMessage = { readonly type: 'stop' };

/** What the daemon passes to a collector on its command line (JSON in argv[2]). */
export interface CollectorOptions {
  readonly interfaces: readonly string[];
  readonly ports: readonly number[];
  readonly snaplen: number;
  readonly bufferTimeoutMs: number;
  readonly flushIntervalMs: number;
}
