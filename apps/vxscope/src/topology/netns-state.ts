import type { FdbChange, LinkChange, NeighChange, RouteChange } from '../events/events';
import type { FdbEntry, LinkInfo, NeighEntry } from '../netlink/netlink.types';
import type { VtepRouteLookup } from '../netlink/route.types';
import { fdbKey } from './fdb-key';

export interface FdbRecord {
  readonly entry: FdbEntry;
  /** Epoch ms when this entry was first seen, and when it last changed. */
  readonly since: number;
  readonly updatedAt: number;
}

export interface FdbDiff {
  readonly change: FdbChange;
  readonly entry: FdbEntry;
  readonly previous?: FdbEntry;
}

export interface LinkDiff {
  readonly change: LinkChange;
  readonly link: LinkInfo;
}

export interface NeighRecord {
  readonly entry: NeighEntry;
  /** Epoch ms when this neighbour was first seen, and when it last changed (state, MAC, flags). */
  readonly since: number;
  readonly updatedAt: number;
}

export interface NeighDiff {
  readonly change: NeighChange;
  readonly entry: NeighEntry;
  readonly previous?: NeighEntry;
}

export interface RouteRecord {
  readonly lookup: VtepRouteLookup;
  /** Epoch ms when the route toward this VTEP was first seen, and when it last changed. */
  readonly since: number;
  readonly updatedAt: number;
}

export interface RouteDiff {
  readonly change: RouteChange;
  readonly route: VtepRouteLookup;
  readonly previous?: VtepRouteLookup;
}

/** A neighbour is one IP on one device (`ip neigh` lists the same IP on two devices twice). */
const neighKey = (e: NeighEntry): string => `${e.ifindex}|${e.ip}`;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** An FDB entry without its ageing clocks, which change on every dump without anything having changed. */
function comparable(e: FdbEntry): FdbEntry {
  const { updatedSecAgo: _u, usedSecAgo: _used, ...rest } = e;
  return rest;
}

/**
 * The kernel's links, FDB, IP neighbours and routes toward remote VTEPs in one namespace, as last
 * reported; each mutation returns what changed.
 */
export class NetnsState {
  readonly links = new Map<number, LinkInfo>();
  readonly fdb = new Map<string, FdbRecord>();
  readonly neighbours = new Map<string, NeighRecord>();
  /** By VTEP address. */
  readonly routes = new Map<string, RouteRecord>();

  constructor(readonly netns: string) {}

  linkName(ifindex: number | undefined): string | undefined {
    return ifindex === undefined ? undefined : this.links.get(ifindex)?.name;
  }

  upsertLink(link: LinkInfo): LinkDiff | undefined {
    const prev = this.links.get(link.ifindex);
    this.links.set(link.ifindex, link);
    if (prev && same(prev, link)) {
      return undefined;
    }
    return { change: prev ? 'updated' : 'added', link };
  }

  removeLink(ifindex: number): LinkDiff[] {
    const prev = this.links.get(ifindex);
    if (!prev) {
      return [];
    }
    this.links.delete(ifindex);
    return [{ change: 'removed', link: prev }];
  }

  /** Replaces all links with a fresh dump; returns the differences (what changed while blind). */
  replaceLinks(links: readonly LinkInfo[]): LinkDiff[] {
    const diffs: LinkDiff[] = [];
    const seen = new Set<number>();
    for (const l of links) {
      seen.add(l.ifindex);
      const d = this.upsertLink(l);
      if (d) {
        diffs.push(d);
      }
    }
    for (const ifindex of [...this.links.keys()]) {
      if (!seen.has(ifindex)) {
        diffs.push(...this.removeLink(ifindex));
      }
    }
    return diffs;
  }

  upsertFdb(entry: FdbEntry, now: number): FdbDiff | undefined {
    const key = fdbKey(entry);
    const prev = this.fdb.get(key);
    if (prev && same(comparable(prev.entry), comparable(entry))) {
      return undefined;
    }
    this.fdb.set(key, { entry, since: prev?.since ?? now, updatedAt: now });
    return prev ? { change: 'updated', entry, previous: prev.entry } : { change: 'added', entry };
  }

  removeFdb(entry: FdbEntry): FdbDiff | undefined {
    const key = fdbKey(entry);
    const prev = this.fdb.get(key);
    if (!prev) {
      return undefined;
    }
    this.fdb.delete(key);
    return { change: 'removed', entry: prev.entry };
  }

  replaceFdb(entries: readonly FdbEntry[], now: number): FdbDiff[] {
    const diffs: FdbDiff[] = [];
    const seen = new Set<string>();
    for (const e of entries) {
      seen.add(fdbKey(e));
      const d = this.upsertFdb(e, now);
      if (d) {
        diffs.push(d);
      }
    }
    for (const [key, rec] of [...this.fdb]) {
      if (!seen.has(key)) {
        this.fdb.delete(key);
        diffs.push({ change: 'removed', entry: rec.entry });
      }
    }
    return diffs;
  }

  /** A link's removal takes its FDB entries with it; the kernel does not always say so entry by entry. */
  dropFdbOf(ifindex: number): FdbDiff[] {
    const diffs: FdbDiff[] = [];
    for (const [key, rec] of [...this.fdb]) {
      if (rec.entry.ifindex === ifindex) {
        this.fdb.delete(key);
        diffs.push({ change: 'removed', entry: rec.entry });
      }
    }
    return diffs;
  }

  upsertNeigh(entry: NeighEntry, now: number): NeighDiff | undefined {
    const key = neighKey(entry);
    const prev = this.neighbours.get(key);
    if (prev && same(prev.entry, entry)) {
      return undefined;
    }
    this.neighbours.set(key, { entry, since: prev?.since ?? now, updatedAt: now });
    return prev ? { change: 'updated', entry, previous: prev.entry } : { change: 'added', entry };
  }

  removeNeigh(entry: NeighEntry): NeighDiff | undefined {
    const key = neighKey(entry);
    const prev = this.neighbours.get(key);
    if (!prev) {
      return undefined;
    }
    this.neighbours.delete(key);
    return { change: 'removed', entry: prev.entry };
  }

  /** Replaces every neighbour with a fresh dump; returns the differences. */
  replaceNeighbours(entries: readonly NeighEntry[], now: number): NeighDiff[] {
    const diffs: NeighDiff[] = [];
    const seen = new Set<string>();
    for (const e of entries) {
      seen.add(neighKey(e));
      const d = this.upsertNeigh(e, now);
      if (d) {
        diffs.push(d);
      }
    }
    for (const [key, rec] of [...this.neighbours]) {
      if (!seen.has(key)) {
        this.neighbours.delete(key);
        diffs.push({ change: 'removed', entry: rec.entry });
      }
    }
    return diffs;
  }

  dropNeighOf(ifindex: number): NeighDiff[] {
    const diffs: NeighDiff[] = [];
    for (const [key, rec] of [...this.neighbours]) {
      if (rec.entry.ifindex === ifindex) {
        this.neighbours.delete(key);
        diffs.push({ change: 'removed', entry: rec.entry });
      }
    }
    return diffs;
  }

  /** Replaces the routes toward remote VTEPs with the collector's latest lookups; returns the differences. */
  replaceRoutes(lookups: readonly VtepRouteLookup[], now: number): RouteDiff[] {
    const diffs: RouteDiff[] = [];
    const seen = new Set<string>();
    for (const lookup of lookups) {
      seen.add(lookup.vtep);
      const prev = this.routes.get(lookup.vtep);
      if (prev && same(prev.lookup, lookup)) {
        continue;
      }
      this.routes.set(lookup.vtep, { lookup, since: prev?.since ?? now, updatedAt: now });
      diffs.push(
        prev ? { change: 'updated', route: lookup, previous: prev.lookup } : { change: 'added', route: lookup },
      );
    }
    for (const [vtep, rec] of [...this.routes]) {
      if (!seen.has(vtep)) {
        this.routes.delete(vtep);
        diffs.push({ change: 'removed', route: rec.lookup });
      }
    }
    return diffs;
  }
}
