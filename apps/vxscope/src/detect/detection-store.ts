import type { DetectionEvent, DetectionKind, DetectionReason, WireDetectionRow } from './detect.types';

export interface DetectionExample {
  /** Packet time of the last occurrence with this detail (epoch ms). */
  readonly at: number;
  readonly detail: string;
}

/** Everything known about one (namespace, kind, reason, VNI, VTEP, MAC). */
export interface DetectionRecord {
  readonly netns: string;
  readonly kind: DetectionKind;
  readonly reason: DetectionReason;
  readonly vni?: number;
  readonly vtep?: string;
  readonly mac?: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  detail: string;
  /** The latest distinct details, oldest first. */
  examples: DetectionExample[];
  /** Occurrences not yet reported on the bus. */
  pending: number;
}

export interface DetectionLimits {
  readonly maxRecords: number;
  readonly examplesPerRecord: number;
  /** A key quiet this long reports its next occurrence at once again, as if it were new. */
  readonly quietMs: number;
}

export const DEFAULT_DETECTION_LIMITS: DetectionLimits = { maxRecords: 10_000, examplesPerRecord: 5, quietMs: 60_000 };

export interface DetectionFilter {
  readonly netns?: string;
  readonly kind?: DetectionKind;
  readonly vni?: number;
}

function keyOf(netns: string, r: Pick<WireDetectionRow, 'kind' | 'reason' | 'vni' | 'vtep' | 'mac'>): string {
  return [netns, r.kind, r.reason, r.vni ?? '', r.vtep ?? '', r.mac ?? ''].join('\u0000');
}

function eventOf(r: DetectionRecord, count: number): DetectionEvent {
  return {
    netns: r.netns,
    kind: r.kind,
    reason: r.reason,
    ...(r.vni !== undefined && { vni: r.vni }),
    ...(r.vtep !== undefined && { vtep: r.vtep }),
    ...(r.mac !== undefined && { mac: r.mac }),
    count,
    total: r.count,
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
    detail: r.detail,
  };
}

/**
 * The collectors' detection rows merged per key, bounded (the least recently updated key goes
 * first), with the rate limit of the bus events: a key's first occurrence (or its first after a
 * quiet spell) is reported at once, later ones only in the periodic summary.
 */
export class DetectionStore {
  /** Map order: least recently updated first. */
  private readonly records = new Map<string, DetectionRecord>();
  evictions = 0;

  constructor(private readonly limits: DetectionLimits = DEFAULT_DETECTION_LIMITS) {}

  /** Merges one row; returns the event to emit at once, if the row starts (or restarts) its key. */
  add(netns: string, row: WireDetectionRow): DetectionEvent | undefined {
    const key = keyOf(netns, row);
    const r = this.records.get(key);
    if (r === undefined) {
      if (this.records.size >= this.limits.maxRecords) {
        const oldest = this.records.keys().next().value;
        if (oldest !== undefined) {
          this.records.delete(oldest);
          this.evictions++;
        }
      }
      const created: DetectionRecord = {
        netns,
        kind: row.kind,
        reason: row.reason,
        ...(row.vni !== undefined && { vni: row.vni }),
        ...(row.vtep !== undefined && { vtep: row.vtep }),
        ...(row.mac !== undefined && { mac: row.mac }),
        count: row.count,
        firstSeen: row.firstSeen,
        lastSeen: row.lastSeen,
        detail: row.detail,
        examples: [{ at: row.lastSeen, detail: row.detail }],
        pending: 0,
      };
      this.records.set(key, created);
      return eventOf(created, row.count);
    }
    const quiet = row.firstSeen - r.lastSeen >= this.limits.quietMs;
    this.records.delete(key);
    this.records.set(key, r);
    r.count += row.count;
    r.firstSeen = Math.min(r.firstSeen, row.firstSeen);
    r.lastSeen = Math.max(r.lastSeen, row.lastSeen);
    r.detail = row.detail;
    this.example(r, row);
    if (quiet) {
      // Whatever was pending belongs to the earlier spell; it goes out with this event.
      const count = r.pending + row.count;
      r.pending = 0;
      return eventOf(r, count);
    }
    r.pending += row.count;
    return undefined;
  }

  /** One event per key with occurrences since its previous event (at most `max`); those are then reported. */
  summary(max = Infinity): DetectionEvent[] {
    const out: DetectionEvent[] = [];
    for (const r of this.records.values()) {
      if (out.length >= max) {
        break;
      }
      if (r.pending > 0) {
        out.push(eventOf(r, r.pending));
        r.pending = 0;
      }
    }
    return out;
  }

  list(filter: DetectionFilter = {}): DetectionRecord[] {
    return [...this.records.values()]
      .filter(
        (r) =>
          (filter.netns === undefined || r.netns === filter.netns) &&
          (filter.kind === undefined || r.kind === filter.kind) &&
          (filter.vni === undefined || r.vni === filter.vni),
      )
      .sort((a, b) => b.lastSeen - a.lastSeen);
  }

  private example(r: DetectionRecord, row: WireDetectionRow): void {
    const same = r.examples.findIndex((e) => e.detail === row.detail);
    if (same >= 0) {
      r.examples.splice(same, 1);
    }
    r.examples.push({ at: row.lastSeen, detail: row.detail });
    if (r.examples.length > this.limits.examplesPerRecord) {
      r.examples.splice(0, r.examples.length - this.limits.examplesPerRecord);
    }
  }
}
