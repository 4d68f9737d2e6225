import type { VniRate } from '../capture/traffic-store';
import type { InterfaceCaptureStats, InterfaceDelta } from '../collector/collector.protocol';
import type { LabRecord } from '../lab/lab.types';
import type { FdbEntry, LinkInfo, NetlinkEvent } from '../netlink/netlink.types';

/** Collectors are keyed by the namespace they watch; "self" is the daemon's own. */
export type NetnsLabel = string;

export type CollectorState = 'starting' | 'running' | 'exited';

export type FdbChange = 'added' | 'updated' | 'removed';
export type LinkChange = 'added' | 'updated' | 'removed';

/** In-process events between modules. */
export interface EventMap {
  'collector.status': { netns: NetnsLabel; state: CollectorState; pid?: number; message?: string };
  'kernel.links': { netns: NetnsLabel; links: readonly LinkInfo[] };
  'kernel.fdb': { netns: NetnsLabel; entries: readonly FdbEntry[] };
  'kernel.event': { netns: NetnsLabel; event: NetlinkEvent };
  'capture.delta': { netns: NetnsLabel; at: number; interfaces: readonly InterfaceDelta[] };
  'capture.stats': { netns: NetnsLabel; interfaces: readonly InterfaceCaptureStats[] };
  'capture.error': { netns: NetnsLabel; interface: string; message: string };
  'vni.rates': { at: number; rates: readonly VniRate[] };
  'fdb.changed': { netns: NetnsLabel; change: FdbChange; entry: FdbEntry; previous?: FdbEntry };
  'link.changed': { netns: NetnsLabel; change: LinkChange; link: LinkInfo };
  'lab.changed': { change: 'created' | 'updated' | 'deleted'; lab: LabRecord };
  'lab.progress': { labId: string; phase: 'build' | 'probe' | 'fault'; message: string; done?: number; total?: number };
}
