import type { VniRate } from '../capture/traffic-store';
import type { CollectorState, FdbChange, LinkChange } from '../events/events';
import type { LabRecord } from '../lab/lab.types';
import type { FdbDto, LinkDto } from '../topology/topology.dto';

/** Messages the daemon pushes to WebSocket clients at /ws: `{ type, at, data }` as JSON. */
export interface LiveMessageMap {
  hello: { version: string; rateIntervalMs: number };
  'vni.rates': { rates: readonly VniRate[] };
  'fdb.changes': { changes: readonly { netns: string; change: FdbChange; entry: FdbDto; previous?: FdbDto }[] };
  'link.changes': { changes: readonly { netns: string; change: LinkChange; link: LinkDto }[] };
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
