import { encodeVxlanFrame } from '../../../../libs/wire/test/support/encode';
import type { CaptureHandle, LiveCaptureOptions, PacketHandler } from '../capture/pcap.source';
import { NetlinkError } from '../netlink/netlink-error';
import type { NetlinkSource } from '../netlink/netlink.source';
import type { FdbEntry, LinkInfo, NeighEntry, NetlinkEvent, NetlinkEventHandler } from '../netlink/netlink.types';
import type { RouteInfo, RouteTarget } from '../netlink/route.types';
import { Collector } from './collector';
import type { CollectorMessage, NetlinkReply, NetlinkRequest } from './collector.protocol';
import { link, vxlanInfo as vxlan } from '../netlink/testing/link-builders';

class FakePcapSource {
  readonly open = new Map<string, { options: LiveCaptureOptions; onPacket: PacketHandler; closed: boolean }>();

  openLive(device: string, options: LiveCaptureOptions, onPacket: PacketHandler): CaptureHandle {
    const s = { options, onPacket, closed: false };
    this.open.set(device, s);
    return { linkType: 1, linkTypeName: 'LINKTYPE_ETHERNET', stats: () => ({ received: 0, dropped: 0, ifDropped: 0 }), close: () => (s.closed = true) };
  }
}

class FakeNetlinkSource {
  handler?: NetlinkEventHandler;
  constructor(
    public links: LinkInfo[],
    public fdb: FdbEntry[] = [],
  ) {}
  subscribe(h: NetlinkEventHandler): () => void {
    this.handler = h;
    return () => undefined;
  }
  dumpLinks(): Promise<LinkInfo[]> {
    return Promise.resolve(this.links);
  }
  /** While set, FDB dumps wait for it: a dump that takes a while. */
  gate?: Promise<void>;
  async dumpFdb(): Promise<FdbEntry[]> {
    await this.gate;
    return this.fdb;
  }
  dumpNeighbours(): Promise<NeighEntry[]> {
    return Promise.resolve([]);
  }
  /** Every VTEP is reached through u0, except 10.9.9.9. */
  getRoute(target: RouteTarget): Promise<RouteInfo> {
    return target.destination === '10.9.9.9'
      ? Promise.reject(NetlinkError.fromErrno('getRoute', target.destination, -101))
      : Promise.resolve({ destination: target.destination, family: 4, type: 'unicast', ifindex: 2, prefsrc: '10.0.0.1' });
  }
  close(): void {}
  emit(e: NetlinkEvent): void {
    this.handler?.(e);
  }
  // Change requests: each records its call; createBridge fails on a name it has seen.
  readonly calls: [string, ...unknown[]][] = [];
  private readonly names = new Set<string>();
  createBridge(name: string): Promise<number> {
    this.calls.push(['createBridge', name]);
    if (this.names.has(name)) {
      return Promise.reject(NetlinkError.fromErrno('createBridge', name, -17));
    }
    this.names.add(name);
    return Promise.resolve(10 + this.names.size);
  }
  createVxlan(...args: unknown[]): Promise<number> {
    this.calls.push(['createVxlan', ...args]);
    return Promise.resolve(20);
  }
  setLink(...args: unknown[]): Promise<void> {
    this.calls.push(['setLink', ...args]);
    return Promise.resolve();
  }
  addFdb(...args: unknown[]): Promise<void> {
    this.calls.push(['addFdb', ...args]);
    return Promise.reject(new Error('socket closed'));
  }
}


describe(Collector.name, () => {
  const options = { interfaces: [], ports: [4789, 8472], snaplen: 256, bufferTimeoutMs: 100, flushIntervalMs: 60_000 };
  let sut: Collector;
  let pcap: FakePcapSource;
  let nl: FakeNetlinkSource;
  let sent: CollectorMessage[];

  beforeEach(async () => {
    pcap = new FakePcapSource();
    nl = new FakeNetlinkSource([link(2, 'u0'), link(3, 'vxlan0', { kind: 'vxlan', vxlan: vxlan({ underlayIfindex: 2 }) })]);
    sent = [];
    sut = new Collector(options, pcap, nl as unknown as NetlinkSource, (m) => sent.push(m));
    await sut.start();
  });

  afterEach(() => sut.stop());

  it('should send the kernel snapshots, then capture on the underlay of vxlan0', () => {
    expect(sent.map((m) => m.type).slice(0, 2)).toEqual(['links.snapshot', 'fdb.snapshot']);
    expect([...pcap.open.keys()]).toEqual(['u0']);
    expect(pcap.open.get('u0')!.options.filter).toBe('(udp and (port 4789 or port 8472)) or (ip[6:2] & 0x1fff != 0 and ip proto 17) or (icmp[0] = 3 and icmp[1] = 4)');
    expect(sent.at(-1)).toEqual({ type: 'ready', pid: process.pid });
  });

  it('should decode packets in the callback and send the counts at the next flush, surviving buffer reuse', () => {
    const frame = Buffer.from(encodeVxlanFrame({ vni: 42, outerSrc: '10.0.0.1', outerDst: '10.0.0.2' }));
    const reused = Buffer.alloc(256);
    const { onPacket } = pcap.open.get('u0')!;
    for (let i = 0; i < 3; i++) {
      frame.copy(reused);
      onPacket(reused, frame.length, frame.length, 1700000000, 0);
      reused.fill(0xff); // libpcap overwrites its buffer with the next packet
    }
    sut.stop();
    const delta = sent.find((m) => m.type === 'capture.delta');
    expect(delta).toMatchObject({ interfaces: [{ name: 'u0', report: { packets: 3, vxlanPackets: 3, vnis: { '42': { packets: 3 } } } }] });
    const packets = delta?.type === 'capture.delta' ? delta.interfaces[0].packets : [];
    expect(Buffer.from(packets[0].data, 'base64')).toEqual(frame);
  });

  it('should forward kernel events and follow a vxlan device that appears on another underlay', () => {
    nl.emit({ type: 'link.changed', link: link(4, 'u1') });
    nl.emit({ type: 'link.changed', link: link(5, 'vxlan1', { kind: 'vxlan', vxlan: vxlan({ vni: 2, dstport: 4800, underlayIfindex: 4 }) }) });
    expect(sent.filter((m) => m.type === 'netlink.event')).toHaveLength(2);
    expect([...pcap.open.entries()].filter(([, s]) => !s.closed).map(([n]) => n).sort()).toEqual(['u0', 'u1']);
    expect(pcap.open.get('u1')!.options.filter).toBe('(udp and (port 4789 or port 4800 or port 8472)) or (ip[6:2] & 0x1fff != 0 and ip proto 17) or (icmp[0] = 3 and icmp[1] = 4)');

    nl.emit({ type: 'link.removed', ifindex: 5, name: 'vxlan1' });
    expect(pcap.open.get('u1')!.closed).toBe(true);
    expect(pcap.open.get('u0')!.closed).toBe(false);
  });

  it('should send the events that arrive during a dump after its snapshots, so the dump cannot undo them', async () => {
    let open = (): void => undefined;
    nl.gate = new Promise((resolve) => (open = resolve));
    nl.emit({ type: 'resync-needed', reason: 'test' });
    // It waits for the notifications to calm down before dumping.
    await new Promise((r) => setTimeout(r, 400));
    sent.length = 0;
    const entry: FdbEntry = { mac: '02:00:00:00:00:09', ifindex: 3, dst: '10.0.0.2', flags: ['self'], state: ['reachable'], isStatic: false };
    nl.emit({ type: 'fdb.added', entry });
    expect(sent).toEqual([]);
    open();
    await new Promise((r) => setTimeout(r, 10));
    expect(sent.map((m) => m.type)).toEqual(['links.snapshot', 'fdb.snapshot', 'neigh.snapshot', 'netlink.event']);
  });

  it('should look up the route toward each remote VTEP shortly after the FDB names it', async () => {
    const entry = (mac: string, dst: string): FdbEntry => ({ mac, ifindex: 3, dst, flags: ['self'], state: ['reachable'], isStatic: false });
    nl.emit({ type: 'fdb.added', entry: entry('02:00:00:00:00:01', '10.0.0.2') });
    nl.emit({ type: 'fdb.added', entry: entry('02:00:00:00:00:02', '10.9.9.9') });
    await new Promise((r) => setTimeout(r, 400));
    expect(sent.filter((m) => m.type === 'routes.snapshot').at(-1)).toEqual({
      type: 'routes.snapshot',
      routes: [
        { vtep: '10.0.0.2', oif: 2, route: { destination: '10.0.0.2', family: 4, type: 'unicast', ifindex: 2, prefsrc: '10.0.0.1' } },
        { vtep: '10.9.9.9', oif: 2, error: 'ENETUNREACH' },
      ],
    });
  });

  describe('netlink requests', () => {
    const replies = async (...requests: NetlinkRequest[]): Promise<NetlinkReply[]> => {
      for (const r of requests) {
        sut.handleNetlinkRequest(r);
      }
      await new Promise((resolve) => setImmediate(resolve));
      // Replies go out as ops finish, not in request order; the id pairs them.
      return sent.filter((m): m is NetlinkReply => m.type === 'netlink.reply').sort((a, b) => a.id - b.id);
    };

    it('should run each op on the NetlinkSource method of the same name and answer with its id and result', async () => {
      const out = await replies(
        { type: 'netlink.request', id: 7, op: 'createBridge', args: { name: 'obr0' } },
        { type: 'netlink.request', id: 8, op: 'createVxlan', args: { name: 'vx0', vni: 5, port: 4789, remote: '10.0.0.2', learning: false } },
        { type: 'netlink.request', id: 9, op: 'setLink', args: { ifindex: 20, master: null, up: true } },
      );
      expect(nl.calls).toEqual([
        ['createBridge', 'obr0'],
        ['createVxlan', 'vx0', { vni: 5, port: 4789, remote: '10.0.0.2', learning: false }],
        ['setLink', 20, { master: null, up: true }],
      ]);
      expect(out).toEqual([
        { type: 'netlink.reply', id: 7, ok: true, result: 11 },
        { type: 'netlink.reply', id: 8, ok: true, result: 20 },
        { type: 'netlink.reply', id: 9, ok: true },
      ]);
    });

    it("should answer a NACK with the kernel's errno and the op", async () => {
      const out = await replies(
        { type: 'netlink.request', id: 1, op: 'createBridge', args: { name: 'obr0' } },
        { type: 'netlink.request', id: 2, op: 'createBridge', args: { name: 'obr0' } },
      );
      expect(out[1]).toEqual({
        type: 'netlink.reply',
        id: 2,
        ok: false,
        error: 'createBridge obr0: EEXIST (file already exists)',
        op: 'createBridge',
        code: 'EEXIST',
        errno: 17,
      });
    });

    it('should answer other failures, unknown ops and requests after stop with ok: false', async () => {
      const fdb = { ifindex: 20, mac: '00:00:00:00:00:00', mode: 'append', permanent: true, self: true } as const;
      const unknown = { type: 'netlink.request', id: 4, op: 'flushEverything', args: {} } as unknown as NetlinkRequest;
      expect(await replies({ type: 'netlink.request', id: 3, op: 'addFdb', args: fdb }, unknown)).toEqual([
        { type: 'netlink.reply', id: 3, ok: false, error: 'socket closed' },
        { type: 'netlink.reply', id: 4, ok: false, error: 'unknown netlink op "flushEverything"' },
      ]);
      sut.stop();
      sent = [];
      expect(await replies({ type: 'netlink.request', id: 5, op: 'createBridge', args: { name: 'late0' } })).toEqual([
        { type: 'netlink.reply', id: 5, ok: false, error: 'createBridge: the collector is stopping' },
      ]);
      expect(nl.calls.map(([op]) => op)).toEqual(['addFdb']);
    });
  });
});
