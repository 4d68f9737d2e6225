import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
  ServiceUnavailableException,
} from '@nestjs/common';

import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventBus } from '../events/event-bus.service';
import type { EventMap } from '../events/events';
import type { NeighEntry, NeighState } from '../netlink/netlink.types';
import { TopologyService } from '../topology/topology.service';
import { Clock } from './clock';
import {
  toFdbEntryView,
  toFdbHistoryItemDto,
  toHistoryEventDto,
  type EventsPageDto,
  type EventsQueryDto,
  type FdbHistoryItemDto,
  type FdbHistoryQueryDto,
  type FdbPayload,
} from './history.dto';
import { HistorySource } from './history.source';
import type { HistoryFilter, NewHistoryRow } from './history.types';

/** Rows are written together: one transaction per this many ms of changes … */
export const FLUSH_INTERVAL_MS = 100;
/** … or per this many rows, whichever comes first. */
export const FLUSH_ROWS = 1000;
const PRUNE_INTERVAL_MS = 60_000;
/** Rows deleted per statement; the event loop gets a turn between chunks. */
const PRUNE_CHUNK = 2000;
const DEFAULT_LIMIT = 100;

/**
 * Records every FDB, link, neighbour and route change the daemon hears of, and every FDB flap and
 * wire-check detection, in the history database, and answers queries over it. Recording costs one array push per change; rows reach the disk in batched
 * transactions, and retention (age and row count) is enforced in small chunks in the background.
 * If the database cannot be opened, the daemon runs on without history and the API says why.
 */
@Injectable()
export class HistoryService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(HistoryService.name);
  private readonly maxAgeMs: number;
  private readonly maxRows: number;
  private readonly unsubscribe: (() => void)[] = [];
  private pending: NewHistoryRow[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<number> | undefined;
  private pruneRequested = false;
  private insertedSincePrune = 0;
  private unavailable: string | undefined = 'not started';
  private dropped = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly topology: TopologyService,
    private readonly source: HistorySource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'historyMaxAgeHours' | 'historyMaxRows'>,
  ) {
    this.maxAgeMs = config.historyMaxAgeHours * 3_600_000;
    this.maxRows = config.historyMaxRows;
  }

  onModuleInit(): void {
    try {
      this.source.open();
      this.unavailable = undefined;
    } catch (err) {
      this.unavailable = `${this.source.file}: ${err instanceof Error ? err.message : String(err)}`;
      this.logger.error(`history is off: ${this.unavailable}`);
      return;
    }
    this.unsubscribe.push(
      this.bus.on('fdb.changed', (e) => this.recordFdb(e)),
      this.bus.on('link.changed', (e) => this.recordLink(e)),
      this.bus.on('neigh.changed', (e) => this.recordNeigh(e)),
      this.bus.on('route.changed', (e) => this.recordRoute(e)),
      this.bus.on('fdb.flap', (e) => this.recordFlap('raised', e)),
      this.bus.on('fdb.flap.cleared', (e) => this.recordFlap('cleared', e)),
      this.bus.on('detection', (e) => this.recordDetection(e)),
    );
    this.pruneTimer = setInterval(() => this.pruneInBackground(), PRUNE_INTERVAL_MS).unref();
    this.pruneInBackground();
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe.splice(0).forEach((u) => u());
    clearInterval(this.pruneTimer);
    await this.pruning?.catch(() => undefined);
    this.flush();
    if (this.source.isOpen) {
      this.source.close();
    }
    this.unavailable = 'the daemon is stopping';
  }

  /** Writes the pending rows now, in one transaction. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) {
      return;
    }
    const rows = this.pending;
    this.pending = [];
    try {
      this.source.insert(rows);
    } catch (err) {
      // Keeping them for a retry would grow without bound while the disk stays full.
      this.dropped += rows.length;
      this.logger.error(
        `history: ${rows.length} changes not written (${this.dropped} in all): ${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    this.insertedSincePrune += rows.length;
    // A long burst should not wait for the next tick of the timer to be trimmed back under the row bound.
    if (this.insertedSincePrune >= this.maxRows / 10) {
      this.pruneInBackground();
    }
  }

  /**
   * Deletes what is past the age or beyond the row count, a chunk at a time; resolves to the rows
   * deleted. A call while a prune runs makes that prune go round once more, with the time of then.
   */
  prune(): Promise<number> {
    this.pruneRequested = true;
    this.pruning ??= this.pruneChunks();
    return this.pruning;
  }

  events(q: EventsQueryDto): EventsPageDto {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const rows = this.query({
      kind: q.kind,
      netns: q.netns,
      mac: q.mac,
      vni: q.vni,
      vtep: q.vtep,
      since: q.since,
      until: q.until,
      beforeId: q.cursor,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit).map(toHistoryEventDto);
    return rows.length > limit ? { items, nextCursor: items[items.length - 1].id } : { items };
  }

  fdbHistory(mac: string, q: FdbHistoryQueryDto): FdbHistoryItemDto[] {
    return this.query({ kind: 'fdb', mac: mac.toLowerCase(), netns: q.netns, limit: q.limit ?? DEFAULT_LIMIT }).map(
      toFdbHistoryItemDto,
    );
  }

  private query(filter: HistoryFilter): ReturnType<HistorySource['query']> {
    if (this.unavailable !== undefined) {
      throw new ServiceUnavailableException(`history is unavailable: ${this.unavailable}`);
    }
    // A change heard a moment ago is part of the answer, not 100 ms later.
    this.flush();
    return this.source.query(filter);
  }

  private recordFdb({ netns, change, entry, previous }: EventMap['fdb.changed']): void {
    const view = toFdbEntryView(this.topology.describeFdb(netns, entry));
    const payload: FdbPayload = previous
      ? { entry: view, previous: toFdbEntryView(this.topology.describeFdb(netns, previous)) }
      : { entry: view };
    this.push({
      ts: this.clock.now(),
      kind: 'fdb',
      netns,
      change,
      mac: view.mac,
      vni: view.vni,
      vtep: view.dst,
      device: view.device,
      payload,
    });
  }

  private recordLink({ netns, change, link }: EventMap['link.changed']): void {
    const v = link.vxlan;
    this.push({
      ts: this.clock.now(),
      kind: 'link',
      netns,
      change,
      mac: link.mac,
      vni: v?.vni,
      vtep: v?.remote ?? v?.group,
      device: link.name,
      payload: { link: this.topology.describeLink(netns, link) },
    });
  }

  private recordNeigh({ netns, change, entry, previous }: EventMap['neigh.changed']): void {
    if (change === 'updated' && previous && !neighNews(previous, entry)) {
      return;
    }
    const view = this.neighView(netns, entry);
    const payload = previous ? { entry: view, previous: this.neighView(netns, previous) } : { entry: view };
    this.push({ ts: this.clock.now(), kind: 'neigh', netns, change, mac: entry.mac, device: view.device, payload });
  }

  /** A neighbour as /api/neighbors shows it, without the times of the live table. */
  private neighView(
    netns: string,
    entry: NeighEntry,
  ): Omit<ReturnType<TopologyService['describeNeighbor']>, 'since' | 'updatedAt'> {
    const { since: _since, updatedAt: _updated, ...view } = this.topology.describeNeighbor(netns, entry);
    return view;
  }

  private recordRoute({ netns, change, route, previous }: EventMap['route.changed']): void {
    this.push({
      ts: this.clock.now(),
      kind: 'route',
      netns,
      change,
      vtep: route.vtep,
      payload: previous ? { route, previous } : { route },
    });
  }

  private recordFlap(change: 'raised' | 'cleared', flap: EventMap['fdb.flap'] | EventMap['fdb.flap.cleared']): void {
    const last = flap.timeline[flap.timeline.length - 1];
    this.push({
      ts: this.clock.now(),
      kind: 'flap',
      netns: flap.netns,
      change,
      mac: flap.mac,
      vni: flap.vni,
      vtep: last?.dst,
      payload: flap,
    });
  }

  private recordDetection(e: EventMap['detection']): void {
    this.push({
      ts: this.clock.now(),
      kind: 'detection',
      netns: e.netns,
      change: e.kind,
      mac: e.mac,
      vni: e.vni,
      vtep: e.vtep,
      payload: e,
    });
  }

  private push(row: NewHistoryRow): void {
    this.pending.push(row);
    if (this.pending.length >= FLUSH_ROWS) {
      this.flush();
    } else {
      this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS).unref();
    }
  }

  private pruneInBackground(): void {
    this.prune().catch((err: unknown) =>
      this.logger.error(`history prune failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  private async pruneChunks(): Promise<number> {
    let total = 0;
    try {
      // Yield first: `this.pruning` is set before this can finish, and the caller's own work goes first.
      await yieldToEventLoop();
      while (this.pruneRequested && this.source.isOpen) {
        this.pruneRequested = false;
        this.insertedSincePrune = 0;
        const cutoff = this.clock.now() - this.maxAgeMs;
        while (this.source.isOpen) {
          const n =
            this.source.deleteOlderThan(cutoff, PRUNE_CHUNK) + this.source.deleteBeyond(this.maxRows, PRUNE_CHUNK);
          total += n;
          if (n === 0) {
            break;
          }
          await yieldToEventLoop();
        }
      }
    } finally {
      this.pruning = undefined;
    }
    return total;
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const UNRESOLVED: readonly NeighState[] = ['incomplete', 'failed'];

/**
 * The kernel re-announces a neighbour on every NUD transition (reachable → stale → delay → probe →
 * reachable, every few tens of seconds for each one in use). Recorded: a new MAC, failing or coming
 * back, becoming static or dynamic, other flags. Not recorded: cycling between resolved states, which
 * would crowd the FDB changes out of the row bound.
 */
function neighNews(before: NeighEntry, after: NeighEntry): boolean {
  const signature = (e: NeighEntry): string =>
    `${e.mac ?? ''}|${e.state.some((st) => UNRESOLVED.includes(st))}|${e.isStatic}|${[...e.flags].sort().join(',')}`;
  return signature(before) !== signature(after);
}
