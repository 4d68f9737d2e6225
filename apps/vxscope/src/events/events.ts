import type { VniRate } from '../capture/traffic-store';
import type { InterfaceCaptureStats, InterfaceDelta } from '../collector/collector.protocol';
import type { DetectionEvent } from '../detect/detect.types';
import type { LabRecord } from '../lab/lab.types';
import type { FdbEntry, LinkInfo, NeighEntry, NetlinkEvent } from '../netlink/netlink.types';
import type { VtepRouteLookup } from '../netlink/route.types';
import type { FdbFlap, FdbFlapCleared } from '../topology/flap-detector';

/** Collectors are keyed by the namespace they watch; "self" is the daemon's own. */
export type NetnsLabel = string;

export type CollectorState = 'starting' | 'running' | 'exited';

export type FdbChange = 'added' | 'updated' | 'removed';
export type LinkChange = 'added' | 'updated' | 'removed';
export type NeighChange = 'added' | 'updated' | 'removed';
export type RouteChange = 'added' | 'updated' | 'removed';

/** In-process events between modules. */
export interface EventMap {
  'collector.status': { netns: NetnsLabel; state: CollectorState; pid?: number; message?: string };
  'kernel.links': { netns: NetnsLabel; links: readonly LinkInfo[] };
  'kernel.fdb': { netns: NetnsLabel; entries: readonly FdbEntry[] };
  'kernel.event': { netns: NetnsLabel; event: NetlinkEvent };
  'kernel.neigh': { netns: NetnsLabel; entries: readonly NeighEntry[] };
  'kernel.routes': { netns: NetnsLabel; routes: readonly VtepRouteLookup[] };
  'capture.delta': { netns: NetnsLabel; at: number; interfaces: readonly InterfaceDelta[] };
  'capture.stats': { netns: NetnsLabel; interfaces: readonly InterfaceCaptureStats[] };
  'capture.error': { netns: NetnsLabel; interface: string; message: string };
  'vni.rates': { at: number; rates: readonly VniRate[] };
  'fdb.changed': { netns: NetnsLabel; change: FdbChange; entry: FdbEntry; previous?: FdbEntry };
  'link.changed': { netns: NetnsLabel; change: LinkChange; link: LinkInfo };
  /** An IPv4/IPv6 neighbour appeared, changed (state, MAC) or went away; resync differences included. */
  'neigh.changed': { netns: NetnsLabel; change: NeighChange; entry: NeighEntry; previous?: NeighEntry };
  /** The route toward a remote VTEP appeared, changed (device, gateway, source, unreachable) or went away. */
  'route.changed': { netns: NetnsLabel; change: RouteChange; route: VtepRouteLookup; previous?: VtepRouteLookup };
  /** A MAC's FDB entry moves between VTEPs, or comes and goes, too often (FlapDetector rules). */
  'fdb.flap': FdbFlap;
  /** A raised flap went quiet. */
  'fdb.flap.cleared': FdbFlapCleared;
  /** A wire check disagreed with the kernel: a key's first occurrence at once, then a periodic summary. */
  detection: DetectionEvent;
  'lab.changed': { change: 'created' | 'updated' | 'deleted'; lab: LabRecord };
  'lab.progress': { labId: string; phase: 'build' | 'probe' | 'fault'; message: string; done?: number; total?: number };
}
