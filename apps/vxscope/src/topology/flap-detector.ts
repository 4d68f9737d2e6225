import { isFloodEntry } from './fdb-key';

/** What happened to a MAC's FDB entry toward a VTEP. */
export type FlapChange = 'added' | 'moved' | 'removed';

export interface FlapTimelineEntry {
  /** Epoch ms */
  readonly at: number;
  /** The VTEP the entry points to after the change (before it, for 'removed'). */
  readonly dst: string;
  readonly change: FlapChange;
  /** For 'moved': the VTEP it left. */
  readonly from?: string;
}

export interface FlapRules {
  /** A flap is N moves to another VTEP, or N add/remove cycles, within the window. */
  readonly moves: number;
  readonly windowMs: number;
  /** A raised flap clears after this long without a change. */
  readonly quietMs: number;
}

export interface Clock {
  now(): number;
}

export interface FdbFlap {
  readonly netns: string;
  readonly vni: number;
  readonly mac: string;
  /** Every VTEP the MAC pointed to during the episode, in order of first appearance. */
  readonly vteps: readonly string[];
  /** The episode's changes, oldest first: those in the window when it was raised, and every one since. */
  readonly timeline: readonly FlapTimelineEntry[];
  /** Which rule fired. */
  readonly reason: 'moves' | 'add-remove';
  readonly raisedAt: number;
  readonly lastChangeAt: number;
}

export interface FdbFlapCleared extends FdbFlap {
  readonly clearedAt: number;
}

/** One FDB diff as the topology reports it, with the VNI resolved (the entry's, else its device's). */
export interface FdbObservation {
  readonly netns: string;
  readonly vni: number;
  readonly mac: string;
  readonly change: 'added' | 'updated' | 'removed';
  readonly dst?: string;
  /** The destination before an update. */
  readonly previousDst?: string;
}

export type FlapSignal =
  { readonly kind: 'raised'; readonly flap: FdbFlap } | { readonly kind: 'cleared'; readonly flap: FdbFlapCleared };

interface Track {
  readonly netns: string;
  readonly vni: number;
  readonly mac: string;
  timeline: FlapTimelineEntry[];
  lastChangeAt: number;
  raised?: { readonly at: number; readonly reason: FdbFlap['reason'] };
}

/** A raised flap keeps at most this many changes (the oldest go first). */
const MAX_TIMELINE = 256;
/** MACs followed at once; changes of further MACs are not followed until others go quiet. */
const MAX_TRACKED = 200_000;

/**
 * Detects FDB flapping: a unicast MAC whose entry keeps moving between VTEPs (learning sees it behind
 * two of them: a loop, a duplicate MAC, a split host) or keeps being added and removed. Flood
 * entries (all-zeros, group MACs) list several VTEPs by design and are ignored. Pure: time comes
 * from the injected clock, and `tick()` is called on a timer to clear flaps that went quiet.
 */
export class FlapDetector {
  private readonly tracks = new Map<string, Track>();

  constructor(
    private readonly rules: FlapRules,
    private readonly clock: Clock,
  ) {}

  observe(o: FdbObservation): FlapSignal[] {
    const step = toStep(o);
    if (!step || isFloodEntry(o.mac)) {
      return [];
    }
    const at = this.clock.now();
    const key = `${o.netns}|${o.vni}|${o.mac}`;
    let track = this.tracks.get(key);
    if (!track) {
      if (this.tracks.size >= MAX_TRACKED) {
        return [];
      }
      track = { netns: o.netns, vni: o.vni, mac: o.mac, timeline: [], lastChangeAt: at };
      this.tracks.set(key, track);
    }
    track.timeline.push({ at, ...step });
    track.lastChangeAt = at;
    if (track.raised) {
      if (track.timeline.length > MAX_TIMELINE) {
        track.timeline.splice(0, track.timeline.length - MAX_TIMELINE);
      }
      return [];
    }
    this.trim(track, at);
    const reason = this.firing(track.timeline);
    if (!reason) {
      return [];
    }
    track.raised = { at, reason };
    return [{ kind: 'raised', flap: snapshot(track) }];
  }

  /** Clears the flaps quiet for `quietMs` and forgets MACs with no change left in the window. */
  tick(): FlapSignal[] {
    const now = this.clock.now();
    const out: FlapSignal[] = [];
    for (const [key, track] of this.tracks) {
      if (track.raised) {
        if (now - track.lastChangeAt >= this.rules.quietMs) {
          out.push({ kind: 'cleared', flap: { ...snapshot(track), clearedAt: now } });
          this.tracks.delete(key);
        }
        continue;
      }
      this.trim(track, now);
      if (track.timeline.length === 0) {
        this.tracks.delete(key);
      }
    }
    return out;
  }

  /** The flaps raised and not yet cleared. */
  active(): FdbFlap[] {
    return [...this.tracks.values()].filter((t) => t.raised).map(snapshot);
  }

  private trim(track: Track, now: number): void {
    const from = now - this.rules.windowMs;
    const first = track.timeline.findIndex((e) => e.at > from);
    track.timeline = first < 0 ? [] : track.timeline.slice(first);
  }

  private firing(timeline: readonly FlapTimelineEntry[]): FdbFlap['reason'] | undefined {
    let moves = 0;
    let cycles = 0;
    let added = false;
    for (const e of timeline) {
      if (e.change === 'moved') {
        moves++;
      } else if (e.change === 'added') {
        added = true;
      } else if (added) {
        cycles++;
        added = false;
      }
    }
    if (moves >= this.rules.moves) {
      return 'moves';
    }
    return cycles >= this.rules.moves ? 'add-remove' : undefined;
  }
}

function toStep(o: FdbObservation): Omit<FlapTimelineEntry, 'at'> | undefined {
  if (o.dst === undefined) {
    return undefined;
  }
  switch (o.change) {
    case 'added':
    case 'removed':
      return { dst: o.dst, change: o.change };
    case 'updated':
      // A change of state or flags only is not a move.
      return o.previousDst !== undefined && o.previousDst !== o.dst
        ? { dst: o.dst, change: 'moved', from: o.previousDst }
        : undefined;
  }
}

function snapshot(track: Track): FdbFlap {
  const raised = track.raised!;
  return {
    netns: track.netns,
    vni: track.vni,
    mac: track.mac,
    vteps: [...new Set(track.timeline.flatMap((e) => (e.from === undefined ? [e.dst] : [e.from, e.dst])))],
    timeline: [...track.timeline],
    reason: raised.reason,
    raisedAt: raised.at,
    lastChangeAt: track.lastChangeAt,
  };
}
