import type { CaptureHandle, PcapSource } from '../capture/pcap.source';
import { DEFAULT_INGEST_OPTIONS, Ingest } from '../capture/ingest/ingest';
import { NetlinkError } from '../netlink/netlink-error';
import type { NetlinkSource } from '../netlink/netlink.source';
import type { LinkInfo, NetlinkEvent } from '../netlink/netlink.types';
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
}

const KERNEL_RING_BYTES = 32 * 1024 * 1024;
const TOP_FLOWS = 50;
/** Stats (top flows, libpcap counters) go out every this many flushes. */
const STATS_EVERY = 4;

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
  private plan: CapturePlan | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushes = 0;
  private stopped = false;
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

  private async resync(): Promise<void> {
    const [links, fdb] = await Promise.all([this.netlinkSource.dumpLinks(), this.netlinkSource.dumpFdb()]);
    this.links.clear();
    for (const l of links) {
      this.links.set(l.ifindex, l);
    }
    this.send({ type: 'links.snapshot', links });
    this.send({ type: 'fdb.snapshot', entries: fdb });
    this.replan();
  }

  private onNetlinkEvent(event: NetlinkEvent): void {
    if (this.stopped) {
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
        this.resync().catch((err: unknown) => this.log('error', `resync failed: ${String(err)}`));
        return;
      case 'fdb.added':
      case 'fdb.removed':
      case 'neigh.added':
      case 'neigh.removed':
        break;
    }
    this.send({ type: 'netlink.event', event });
    if (event.type === 'link.changed' || event.type === 'link.removed') {
      this.replan();
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
    try {
      let linkType = -1;
      const handle = this.pcapSource.openLive(
        name,
        { filter: plan.filter, snaplen: this.options.snaplen, bufferTimeoutMs: this.options.bufferTimeoutMs, bufferSize: KERNEL_RING_BYTES },
        (buf, caplen, wirelen, tsSec, tsUsec) => ingest.packet(buf, 0, caplen, wirelen, linkType, tsSec * 1000 + tsUsec / 1000),
        (err) => this.log('error', `capture handler on ${name}: ${err.message}`),
      );
      linkType = handle.linkType;
      this.captures.set(name, { name, handle, filter: plan.filter, ingest });
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
    return { name: c.name, report: c.ingest.drain(), macs: c.ingest.drainMacs(), packets: c.ingest.drainPackets() };
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
    const interfaces = [...this.captures.values()].map((c) => this.delta(c)).filter((d) => d.report.packets > 0 || d.macs.length > 0);
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
