/**
 * What a history row records: kernel changes (FDB, link, IP neighbour, route toward a remote VTEP)
 * and what was detected (FDB flaps raised and cleared, wire checks). A new kind is one more name
 * here and one more subscription in HistoryService.
 */
export const HISTORY_KINDS = ['fdb', 'link', 'neigh', 'route', 'flap', 'detection'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/** One change as it is written: the indexed columns, and the whole change as JSON. */
export interface NewHistoryRow {
  /** Epoch ms when the daemon heard of the change. */
  readonly ts: number;
  readonly kind: HistoryKind;
  readonly netns: string;
  /** added / updated / removed; raised / cleared for flaps; the detection kind for detections. */
  readonly change: string;
  readonly mac?: string;
  readonly vni?: number;
  /** Destination VTEP of an FDB entry or route; remote (or group) of a vxlan link; the VTEP a flap last moved to. */
  readonly vtep?: string;
  readonly device?: string;
  readonly payload: unknown;
}

/** One row as stored; `payload` stays JSON text until the API edge. */
export interface HistoryRow {
  readonly id: number;
  readonly ts: number;
  readonly kind: HistoryKind;
  readonly netns: string;
  readonly change: string;
  readonly mac: string | null;
  readonly vni: number | null;
  readonly vtep: string | null;
  readonly device: string | null;
  readonly payload: string;
}

/** Filters of a history query; every field narrows, and rows come newest first. */
export interface HistoryFilter {
  readonly kind?: HistoryKind;
  readonly netns?: string;
  readonly mac?: string;
  readonly vni?: number;
  readonly vtep?: string;
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, inclusive. */
  readonly until?: number;
  /** Only rows with an id below this one (the last id of the previous page). */
  readonly beforeId?: number;
  readonly limit: number;
}
