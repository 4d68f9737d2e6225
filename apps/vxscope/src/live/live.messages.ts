import type { VniRate } from '../capture/traffic-store';
import type { DetectionEvent } from '../detect/detect.types';
import type { CollectorState, FdbChange, LinkChange, NeighChange } from '../events/events';
import type { LabRecord } from '../lab/lab.types';
import type { FdbDto, FlapDto, LinkDto, NeighborDto } from '../topology/topology.dto';

/** Messages the daemon pushes to WebSocket clients at /ws: `{ type, at, data }` as JSON. */
export interface LiveMessageMap {
  hello: { version: string; rateIntervalMs: number };
  'vni.rates': { rates: readonly VniRate[] };
  'fdb.changes': { changes: readonly { netns: string; change: FdbChange; entry: FdbDto; previous?: FdbDto }[] };
  'link.changes': { changes: readonly { netns: string; change: LinkChange; link: LinkDto }[] };
  'neigh.changes': { changes: readonly { netns: string; change: NeighChange; neighbor: NeighborDto; previous?: NeighborDto }[] };
  /** A MAC started flapping between VTEPs (or coming and going), and when it went quiet again. */
  'fdb.flap': FlapDto;
  'fdb.flap.cleared': FlapDto;
  /** Wire checks against the kernel: the 'detection' bus events, batched like kernel changes. */
  detections: { detections: readonly DetectionEvent[] };
  'lab.changed': { change: 'created' | 'updated' | 'deleted'; lab: LabRecord };
  'lab.progress': { labId: string; phase: 'build' | 'probe' | 'fault'; message: string; done?: number; total?: number };
  'collector.status': { netns: string; state: CollectorState; pid?: number; message?: string };
}

export type LiveMessageType = keyof LiveMessageMap;

export interface LiveMessage<K extends LiveMessageType = LiveMessageType> {
  readonly type: K;
  readonly at: number;
  readonly data: LiveMessageMap[K];
}
