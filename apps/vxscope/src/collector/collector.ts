import type { CaptureHandle, PcapSource } from '../capture/pcap.source';
import { DEFAULT_INGEST_OPTIONS, Ingest } from '../capture/ingest/ingest';
import { KernelView } from '../detect/kernel-view';
import { WireChecker } from '../detect/wire-checker';
import { NetlinkError } from '../netlink/netlink-error';
import type { NetlinkSource } from '../netlink/netlink.source';
import type { FdbEntry, LinkInfo, NetlinkEvent } from '../netlink/netlink.types';
import { routeTargets } from '../netlink/route-targets';
import type { VtepRouteLookup } from '../netlink/route.types';
import { fdbKey } from '../topology/fdb-key';
import { planCapture, type CapturePlan } from './capture-plan';
import type {
  CollectorMessage,
  CollectorOptions,
  InterfaceCaptureStats,
  InterfaceDelta,
  NetlinkOp,
  NetlinkOps,
  NetlinkReply,
  NetlinkRequest,
} from './collector.protocol';

interface ActiveCapture {
  readonly name: string;
  readonly handle: CaptureHandle;
  readonly filter: string;
  readonly ingest: Ingest;
  /** Checks each frame against `Collector.view`; drained with the ingest. */
  readonly checker: WireChecker;
}

const KERNEL_RING_BYTES = 128 * 1024 * 1024;
const TOP_FLOWS = 50;
/** Stats (top flows, libpcap counters) go out every this many flushes. */
const STATS_EVERY = 4;
/** Route lookups wait this long after a link or FDB change, so a burst of changes costs one round. */
const ROUTE_REFRESH_DELAY_MS = 200;
/** At most this many remote VTEPs get a route lookup per round. */
const MAX_ROUTE_LOOKUPS = 1024;
/**
 * After lost notifications, dump only once they have stopped coming for this long. The kernel reports
 * ENOBUFS once per overflow and then drops silently until the socket's queue has drained, so a dump
 * taken during the burst could miss changes that no later error would announce.
 */
const RESYNC_QUIET_MS = 250;
/** …but under endless churn, dump at least this often (and again once it calms down). */
const RESYNC_MAX_WAIT_MS = 5000;

type NetlinkOpHandlers = { readonly [K in NetlinkOp]: (args: NetlinkOps[K]['args']) => Promise<NetlinkOps[K]['result']> };

function callOp<K extends NetlinkOp>(ops: NetlinkOpHandlers, op: K, args: NetlinkOps[K]['args']): Promise<NetlinkOps[K]['result']> {
  return ops[op](args);
}

function failedReply(id: number, error: unknown): NetlinkReply {
  if (error instanceof NetlinkError) {
    return {
      type: 'netlink.reply',
      id,
      ok: false,
      error: error.message,
      op: error.op,
      code: error.code,
      ...(error.errno !== undefined && { errno: error.errno }),
    };
  }
  return { type: 'netlink.reply', id, ok: false, error: error instanceof Error ? error.message : String(error) };
}

/**
 * Runs inside the watched network namespace: follows links and the FDB over rtnetlink, captures
 * VXLAN on the planned interfaces, decodes each packet synchronously in the pcap callback and sends
 * aggregates to the daemon every flush interval. It is also the daemon's rtnetlink agent there:
 * `netlink.request` messages run on its NetlinkSource and are answered with `netlink.reply`.
 */
export class Collector {
  private readonly links = new Map<number, LinkInfo>();
  private readonly captures = new Map<string, ActiveCapture>();
  /** Links and FDB as the wire checks need them, kept from the same dumps and events as `links`. */
  private readonly view = new KernelView();
  private plan: CapturePlan | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushes = 0;
  private stopped = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  /** The dump in progress, and whether another was asked for meanwhile. */
  private resyncing: Promise<void> | undefined;
  private resyncAgain = false;
  /**
   * Events that arrive while a dump runs wait here and go out after the snapshots: an event newer than
   * the dump sent before it would be undone by it. Replayed in order, they end at the newest state.
   */
  private held: NetlinkEvent[] | undefined;
  private lastEventAt = 0;
  /** Set while a resync waits for the notifications to calm down. */
  private resyncDeadline: number | undefined;
  private resyncQuietTimer: NodeJS.Timeout | undefined;
  /** FDB entries with a destination, by fdbKey: the remote VTEPs whose routes are followed. */
  private readonly fdbDsts = new Map<string, Pick<FdbEntry, 'ifindex' | 'dst' | 'viaIfindex'>>();
  private routeRefresh: 'idle' | 'scheduled' | 'running' = 'idle';
  private routeTimer: NodeJS.Timeout | undefined;
  private routeRefreshAgain = false;
  /** Look every route up again even if the set of VTEPs is the same (links changed, periodic resync). */
  private routeLookupForced = false;
  private lastRouteTargets = '';
  private lastRoutes = '';
  /** Each op is the NetlinkSource method of the same name, with the args object spread into its parameters. */
  private readonly ops: NetlinkOpHandlers = {
    createBridge: ({ name }) => this.netlinkSource.createBridge(name),
    createVxlan: ({ name, ...spec }) => this.netlinkSource.createVxlan(name, spec),
    setLink: ({ ifindex, ...change }) => this.netlinkSource.setLink(ifindex, change),
    deleteLink: ({ ifindex }) => this.netlinkSource.deleteLink(ifindex),
    changeVxlanLearning: ({ ifindex, learning }) => this.netlinkSource.changeVxlanLearning(ifindex, learning),
    addAddress: ({ ifindex, cidr }) => this.netlinkSource.addAddress(ifindex, cidr),
    deleteAddress: ({ ifindex, cidr }) => this.netlinkSource.deleteAddress(ifindex, cidr),
    addFdb: (entry) => this.netlinkSource.addFdb(entry),
    deleteFdb: (entry) => this.netlinkSource.deleteFdb(entry),
  };

  constructor(
    private readonly options: CollectorOptions,
    private readonly pcapSource: PcapSource,
    private readonly netlinkSource: NetlinkSource,
    private readonly send: (msg: CollectorMessage) => void,
  ) {}

  async start(): Promise<void> {
    // Subscribe before dumping so that no change between the dump and the subscription is lost;
    // events that raced the dump are idempotent updates of the same state.
    this.netlinkSource.subscribe((event) => this.onNetlinkEvent(event));
    await this.resync();
    this.flushTimer = setInterval(() => this.flush(), this.options.flushIntervalMs);
    if (this.options.resyncIntervalMs !== undefined) {
      this.resyncTimer = setInterval(() => {
        this.resync().catch((err: unknown) => this.log('error', `periodic resync failed: ${String(err)}`));
      }, this.options.resyncIntervalMs);
    }
    this.send({ type: 'ready', pid: process.pid });
  }

  stop(): void {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    if (this.flushTimer) {
      clearInterval(this.flushTimer);
    }
    clearInterval(this.resyncTimer);
    clearTimeout(this.routeTimer);
    clearTimeout(this.resyncQuietTimer);
    this.flush();
    for (const c of this.captures.values()) {
      c.handle.close();
    }
    this.captures.clear();
    this.netlinkSource.close();
  }

  /** Runs one rtnetlink change for the daemon and always answers, with the result or the error. */
  handleNetlinkRequest(request: NetlinkRequest): void {
    const { id, op } = request;
    const run = async (): Promise<NetlinkOps[NetlinkOp]['result']> => {
      if (this.stopped) {
        throw new Error(`${op}: the collector is stopping`);
      }
      if (!Object.hasOwn(this.ops, op)) {
        throw new Error(`unknown netlink op "${String(op)}"`);
      }
      return callOp(this.ops, op, request.args);
    };
    run().then(
      (result) => this.send({ type: 'netlink.reply', id, ok: true, ...(typeof result === 'number' && { result }) }),
      (error: unknown) => this.send(failedReply(id, error)),
    );
  }

  /**
   * Dumps links, FDB and neighbours and sends them as snapshots, which the daemon diffs against what
   * it knew: at start, after a restart, on 'resync-needed' and on the resync timer. One at a time.
   */
  private resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    const run = this.dumpAll().finally(() => {
      this.resyncing = undefined;
      if (this.resyncAgain && !this.stopped) {
        this.resyncAgain = false;
        this.resync().catch((err: unknown) => this.log('error', `resync failed: ${String(err)}`));
      }
    });
    this.resyncing = run;
    return run;
  }

  private async dumpAll(): Promise<void> {
    this.held = [];
    try {
      const [links, fdb, neighbours] = await Promise.all([
        this.netlinkSource.dumpLinks(),
        this.netlinkSource.dumpFdb(),
        this.netlinkSource.dumpNeighbours(),
      ]);
      if (this.stopped) {
        return;
      }
      this.links.clear();
      for (const l of links) {
        this.links.set(l.ifindex, l);
      }
      this.fdbDsts.clear();
      for (const e of fdb) {
        this.trackFdb(e, true);
      }
      this.view.reset(links, fdb);
      this.send({ type: 'links.snapshot', links });
      this.send({ type: 'fdb.snapshot', entries: fdb });
      this.send({ type: 'neigh.snapshot', entries: neighbours });
    } finally {
      const held = this.held;
      this.held = undefined;
      for (const event of held) {
        this.onNetlinkEvent(event);
      }
    }
    this.replan();
    this.scheduleRouteRefresh(true);
  }

  private onNetlinkEvent(event: NetlinkEvent): void {
    if (this.stopped) {
      return;
    }
    this.lastEventAt = Date.now();
    if (this.held) {
      this.held.push(event);
      return;
    }
    switch (event.type) {
      case 'link.changed':
        this.links.set(event.link.ifindex, event.link);
        break;
      case 'link.removed':
        this.links.delete(event.ifindex);
        break;
      case 'resync-needed':
        this.log('warn', `rtnetlink notifications lost (${event.reason}): dumping again once they calm down`);
        this.resyncWhenQuiet();
        return;
      case 'fdb.added':
      case 'fdb.removed':
        this.trackFdb(event.entry, event.type === 'fdb.added');
        this.scheduleRouteRefresh(false);
        break;
      case 'neigh.added':
      case 'neigh.removed':
        break;
    }
    this.view.apply(event);
    this.send({ type: 'netlink.event', event });
    if (event.type === 'link.changed' || event.type === 'link.removed') {
      this.replan();
      this.scheduleRouteRefresh(true);
    }
  }

  /** Resyncs once no notification has come for RESYNC_QUIET_MS (see there), or after RESYNC_MAX_WAIT_MS. */
  private resyncWhenQuiet(): void {
    if (this.resyncDeadline !== undefined || this.stopped) {
      return;
    }
    const deadline = Date.now() + RESYNC_MAX_WAIT_MS;
    this.resyncDeadline = deadline;
    const check = (): void => {
      const now = Date.now();
      const quietFor = now - this.lastEventAt;
      if (quietFor < RESYNC_QUIET_MS && now < deadline) {
        this.resyncQuietTimer = setTimeout(check, Math.min(RESYNC_QUIET_MS - quietFor, deadline - now));
        return;
      }
      this.resyncDeadline = undefined;
      this.resync().catch((err: unknown) => this.log('error', `resync failed: ${String(err)}`));
      if (quietFor < RESYNC_QUIET_MS) {
        // Still churning: this dump may predate silent drops, so take another once it calms down.
        this.resyncWhenQuiet();
      }
    };
    this.resyncQuietTimer = setTimeout(check, RESYNC_QUIET_MS);
  }

  private trackFdb(entry: FdbEntry, present: boolean): void {
    const key = fdbKey(entry);
    if (present && entry.dst !== undefined) {
      this.fdbDsts.set(key, { ifindex: entry.ifindex, dst: entry.dst, viaIfindex: entry.viaIfindex });
    } else {
      this.fdbDsts.delete(key);
    }
  }

  /** Looks up the routes toward the remote VTEPs soon, once for a whole burst of changes. */
  private scheduleRouteRefresh(force: boolean): void {
    this.routeLookupForced ||= force;
    if (this.stopped) {
      return;
    }
    if (this.routeRefresh === 'running') {
      this.routeRefreshAgain = true;
      return;
    }
    if (this.routeRefresh === 'scheduled') {
      return;
    }
    this.routeRefresh = 'scheduled';
    this.routeTimer = setTimeout(() => {
      this.routeRefresh = 'running';
      this.refreshRoutes()
        .catch((err: unknown) => this.log('error', `route lookup failed: ${String(err)}`))
        .finally(() => {
          this.routeRefresh = 'idle';
          if (this.routeRefreshAgain) {
            this.routeRefreshAgain = false;
            this.scheduleRouteRefresh(false);
          }
        });
    }, ROUTE_REFRESH_DELAY_MS);
  }

  /** RTM_GETROUTE for every remote VTEP when the set changed or a lookup is forced; sends the answers when they changed. */
  private async refreshRoutes(): Promise<void> {
    const all = routeTargets(this.links, this.fdbDsts.values());
    const targetsText = JSON.stringify(all);
    if (this.stopped || (!this.routeLookupForced && targetsText === this.lastRouteTargets)) {
      return;
    }
    this.routeLookupForced = false;
    this.lastRouteTargets = targetsText;
    if (all.length > MAX_ROUTE_LOOKUPS) {
      this.log('warn', `${all.length} remote VTEPs: looking up the routes of the first ${MAX_ROUTE_LOOKUPS} only`);
    }
    const routes: VtepRouteLookup[] = [];
    for (const target of all.slice(0, MAX_ROUTE_LOOKUPS)) {
      const base = { vtep: target.destination, ...(target.oif !== undefined && { oif: target.oif }) };
      try {
        routes.push({ ...base, route: await this.netlinkSource.getRoute(target) });
      } catch (err) {
        routes.push({ ...base, error: err instanceof NetlinkError ? err.code : String(err) });
      }
      if (this.stopped) {
        return;
      }
    }
    const routesText = JSON.stringify(routes);
    if (routesText !== this.lastRoutes) {
      this.lastRoutes = routesText;
      this.send({ type: 'routes.snapshot', routes });
    }
  }

  /**
   * Opens and closes sessions to match the plan. A changed filter (a vxlan device with a new dstport
   * came or went) reopens every session: node_pcap cannot change the filter of an open session, so
   * frames arriving during the reopen (a few milliseconds) are not seen.
   */
  private replan(): void {
    const next = planCapture([...this.links.values()], this.options.interfaces, this.options.ports);
    const prev = this.plan;
    this.plan = next;
    const before = [...this.captures.values()];
    if (prev && prev.filter !== next.filter) {
      // A vxlan device with a new dstport: decode it as VXLAN and reopen every session with the new filter.
      for (const name of [...this.captures.keys()]) {
        this.closeCapture(name);
      }
    }
    for (const name of [...this.captures.keys()]) {
      if (!next.interfaces.includes(name) || !this.interfaceExists(name)) {
        this.closeCapture(name);
      }
    }
    for (const name of next.interfaces) {
      if (!this.captures.has(name) && this.interfaceExists(name)) {
        this.openCapture(name, next);
      }
    }
    const after = [...this.captures.values()];
    if (after.length !== before.length || after.some((c, i) => c !== before[i])) {
      this.sendStats();
    }
  }

  private sendStats(): void {
    this.send({ type: 'capture.stats', interfaces: [...this.captures.values()].map((c) => this.stats(c)) });
  }

  private interfaceExists(name: string): boolean {
    if (name === 'any') {
      return true;
    }
    for (const l of this.links.values()) {
      if (l.name === name) {
        return true;
      }
    }
    return false;
  }

  private openCapture(name: string, plan: CapturePlan): void {
    const ingest = new Ingest({ ...DEFAULT_INGEST_OPTIONS, ports: plan.ports, ringSnaplen: this.options.snaplen });
    const checker = new WireChecker(this.view, plan.ports);
    ingest.observe(checker);
    try {
      let linkType = -1;
      const handle = this.pcapSource.openLive(
        name,
        { filter: plan.filter, snaplen: this.options.snaplen, bufferTimeoutMs: this.options.bufferTimeoutMs, bufferSize: KERNEL_RING_BYTES },
        (buf, caplen, wirelen, tsSec, tsUsec) => ingest.packet(buf, 0, caplen, wirelen, linkType, tsSec * 1000 + tsUsec / 1000),
        (err) => this.log('error', `capture handler on ${name}: ${err.message}`),
      );
      linkType = handle.linkType;
      this.captures.set(name, { name, handle, filter: plan.filter, ingest, checker });
      this.log('log', `capturing on ${name} (${handle.linkTypeName}) with filter "${plan.filter}"`);
    } catch (err) {
      this.send({ type: 'capture.error', interface: name, message: err instanceof Error ? err.message : String(err) });
    }
  }

  private closeCapture(name: string): void {
    const c = this.captures.get(name);
    if (c) {
      // Whatever it counted since the last flush still goes out.
      this.send({ type: 'capture.delta', at: Date.now(), interfaces: [this.delta(c)] });
      c.handle.close();
      this.captures.delete(name);
    }
  }

  private delta(c: ActiveCapture): InterfaceDelta {
    const detections = c.checker.drain();
    return {
      name: c.name,
      report: c.ingest.drain(),
      macs: c.ingest.drainMacs(),
      packets: c.ingest.drainPackets(),
      ...(detections.length > 0 && { detections }),
    };
  }

  private stats(c: ActiveCapture): InterfaceCaptureStats {
    const s = c.handle.stats();
    const state = c.ingest.state(TOP_FLOWS);
    return {
      name: c.name,
      linkType: c.handle.linkTypeName,
      filter: c.filter,
      snaplen: this.options.snaplen,
      pcapReceived: s.received,
      pcapDropped: s.dropped,
      ifDropped: s.ifDropped,
      ...state,
    };
  }

  private flush(): void {
    const interfaces = [...this.captures.values()].map((c) => this.delta(c)).filter((d) => d.report.packets > 0 || d.macs.length > 0 || d.detections !== undefined);
    if (interfaces.length > 0) {
      this.send({ type: 'capture.delta', at: Date.now(), interfaces });
    }
    if (this.flushes++ % STATS_EVERY === 0 || this.stopped) {
      this.sendStats();
    }
  }

  private log(level: 'log' | 'warn' | 'error', message: string): void {
    this.send({ type: 'log', level, message });
  }
}
