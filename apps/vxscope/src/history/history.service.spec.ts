import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { EventBus } from '../events/event-bus.service';
import type { FdbEntry, LinkInfo, NeighEntry } from '../netlink/netlink.types';
import { TopologyService } from '../topology/topology.service';
import { Clock } from './clock';
import { FLUSH_INTERVAL_MS, FLUSH_ROWS, HistoryService } from './history.service';
import { HistorySource } from './history.source';
import { vxlanInfo } from '../netlink/testing/link-builders';

class FakeClock extends Clock {
  constructor(public t: number) {
    super();
  }
  override now(): number {
    return this.t;
  }
}

const HOUR = 3_600_000;
const T0 = Date.parse('2025-03-01T12:00:00Z');
const C2 = '02:00:00:00:01:03';

const vxlan0: LinkInfo = {
  ifindex: 5,
  name: 'vxlan0',
  kind: 'vxlan',
  adminUp: true,
  lowerUp: true,
  operstate: 'unknown',
  mac: '02:aa:00:00:00:05',
  vxlan: vxlanInfo({ remote: '10.11.0.2', local: '10.11.0.1' }),
};
const u0: LinkInfo = { ifindex: 2, name: 'u0', kind: 'veth', adminUp: true, lowerUp: true, operstate: 'up' };

const learned = (mac: string, dst: string, patch: Partial<FdbEntry> = {}): FdbEntry => ({
  mac,
  ifindex: 5,
  dst,
  flags: ['self'],
  state: ['reachable'],
  isStatic: false,
  ...patch,
});
const neighbour = (ip: string, mac: string | undefined, state: NeighEntry['state']): NeighEntry => ({
  family: 4,
  ip,
  ifindex: 2,
  mac,
  flags: [],
  state,
  isStatic: false,
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe(HistoryService.name, () => {
  let dir: string;
  let bus: EventBus;
  let topology: TopologyService;
  let clock: FakeClock;
  let sut: HistoryService;
  let source: HistorySource;

  const start = (
    limits: { historyMaxAgeHours?: number; historyMaxRows?: number } = {},
    dataDir = dir,
  ): HistoryService => {
    source = new HistorySource({ dataDir });
    const s = new HistoryService(bus, topology, source, clock, {
      historyMaxAgeHours: 168,
      historyMaxRows: 1_000_000,
      ...limits,
    });
    s.onModuleInit();
    return s;
  };

  /** A watched namespace whose first dumps have arrived: from now on its differences are changes. */
  const watch = (netns = 'h1'): void => {
    bus.emit('kernel.links', { netns, links: [u0, vxlan0] });
    bus.emit('kernel.fdb', { netns, entries: [] });
    bus.emit('kernel.neigh', { netns, entries: [] });
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vxhist-'));
    bus = new EventBus();
    topology = new TopologyService(bus);
    topology.onModuleInit();
    clock = new FakeClock(T0);
  });

  afterEach(async () => {
    await sut.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("should keep a MAC's FDB timeline: added, moved to another VTEP, removed", () => {
    sut = start();
    watch();
    bus.emit('kernel.event', { netns: 'h1', event: { type: 'fdb.added', entry: learned(C2, '10.11.0.2') } });
    clock.t += 1000;
    bus.emit('kernel.event', {
      netns: 'h1',
      event: { type: 'fdb.added', entry: learned(C2, '10.11.0.99', { state: ['permanent'], isStatic: true }) },
    });
    clock.t += 1000;
    bus.emit('kernel.event', { netns: 'h1', event: { type: 'fdb.removed', entry: learned(C2, '10.11.0.99') } });

    const timeline = sut.fdbHistory(C2.toUpperCase(), {});
    expect(timeline.map((t) => [t.change, t.vtep, t.previousVtep, t.moved])).toEqual([
      ['removed', '10.11.0.99', undefined, false],
      ['updated', '10.11.0.99', '10.11.0.2', true],
      ['added', '10.11.0.2', undefined, false],
    ]);
    expect(timeline[2]).toMatchObject({
      netns: 'h1',
      device: 'vxlan0',
      vni: 1,
      at: new Date(T0).toISOString(),
      entry: { mac: C2, type: 'learned' },
    });
    expect(timeline[1]).toMatchObject({
      entry: { type: 'static', dst: '10.11.0.99' },
      previous: { type: 'learned', dst: '10.11.0.2' },
    });
    expect(timeline[2].entry).not.toHaveProperty('since');
    expect(sut.fdbHistory(C2, { netns: 'h2' })).toEqual([]);
    expect(sut.fdbHistory(C2, { limit: 1 })).toHaveLength(1);
  });

  it('should record link changes with the vxlan VNI and remote', () => {
    sut = start();
    watch();
    bus.emit('kernel.event', {
      netns: 'h1',
      event: { type: 'link.changed', link: { ...vxlan0, adminUp: false, operstate: 'down' } },
    });
    bus.emit('kernel.event', { netns: 'h1', event: { type: 'link.removed', ifindex: 5, name: 'vxlan0' } });

    const page = sut.events({ kind: 'link' });
    expect(page.items.map((e) => [e.change, e.device, e.vni, e.vtep])).toEqual([
      ['removed', 'vxlan0', 1, '10.11.0.2'],
      ['updated', 'vxlan0', 1, '10.11.0.2'],
    ]);
    expect(page.items[1].data).toMatchObject({
      link: { kind: 'vxlan', name: 'vxlan0', up: false, operstate: 'down', remote: '10.11.0.2' },
    });
  });

  it('should record neighbours appearing, changing MAC, failing and going, but not their NUD churn', () => {
    sut = start();
    watch();
    const ev = (type: 'neigh.added' | 'neigh.removed', entry: NeighEntry): void =>
      bus.emit('kernel.event', { netns: 'h1', event: { type, entry } });
    ev('neigh.added', neighbour('10.11.0.2', '02:bb:00:00:00:02', ['reachable']));
    ev('neigh.added', neighbour('10.11.0.2', '02:bb:00:00:00:02', ['stale']));
    ev('neigh.added', neighbour('10.11.0.2', '02:bb:00:00:00:02', ['delay']));
    ev('neigh.added', neighbour('10.11.0.2', '02:bb:00:00:00:09', ['reachable']));
    ev('neigh.added', neighbour('10.11.0.2', undefined, ['failed']));
    ev('neigh.removed', neighbour('10.11.0.2', undefined, ['failed']));
    ev('neigh.removed', neighbour('10.11.0.2', undefined, ['failed']));

    const items = sut.events({ kind: 'neigh' }).items.reverse();
    expect(items.map((e) => [e.change, e.mac, e.device])).toEqual([
      ['added', '02:bb:00:00:00:02', 'u0'],
      ['updated', '02:bb:00:00:00:09', 'u0'],
      ['updated', undefined, 'u0'],
      ['removed', undefined, 'u0'],
    ]);
    expect(items[1].data).toMatchObject({
      entry: { ip: '10.11.0.2', mac: '02:bb:00:00:00:09' },
      previous: { mac: '02:bb:00:00:00:02' },
    });
  });

  it('should record routes toward VTEPs, FDB flaps and wire detections', () => {
    sut = start();
    watch();
    const route = {
      vtep: '10.11.0.2',
      route: { destination: '10.11.0.2', family: 4 as const, type: 'unicast', ifindex: 2, prefsrc: '10.11.0.1' },
    };
    bus.emit('route.changed', { netns: 'h1', change: 'added', route });
    bus.emit('route.changed', {
      netns: 'h1',
      change: 'updated',
      route: { vtep: '10.11.0.2', error: 'ENETUNREACH' },
      previous: route,
    });
    const flap = {
      netns: 'h1',
      vni: 1,
      mac: C2,
      vteps: ['10.11.0.2', '10.11.0.3'],
      timeline: [
        { at: T0, dst: '10.11.0.2', change: 'added' as const },
        { at: T0 + 1, dst: '10.11.0.3', change: 'moved' as const, from: '10.11.0.2' },
      ],
      reason: 'moves' as const,
      raisedAt: T0 + 1,
      lastChangeAt: T0 + 1,
    };
    bus.emit('fdb.flap', flap);
    bus.emit('fdb.flap.cleared', { ...flap, clearedAt: T0 + 60_000 });
    bus.emit('detection', {
      netns: 'h1',
      kind: 'misdirected',
      reason: 'wrong-vtep',
      vni: 1,
      vtep: '10.11.0.3',
      mac: C2,
      count: 4,
      total: 4,
      firstSeen: T0,
      lastSeen: T0,
      detail: 'sent to 10.11.0.3, FDB says 10.11.0.2',
    });

    const rows = sut.events({}).items.reverse();
    expect(rows.map((e) => [e.kind, e.change, e.mac, e.vni, e.vtep])).toEqual([
      ['route', 'added', undefined, undefined, '10.11.0.2'],
      ['route', 'updated', undefined, undefined, '10.11.0.2'],
      ['flap', 'raised', C2, 1, '10.11.0.3'],
      ['flap', 'cleared', C2, 1, '10.11.0.3'],
      ['detection', 'misdirected', C2, 1, '10.11.0.3'],
    ]);
    expect(rows[1].data).toMatchObject({ route: { error: 'ENETUNREACH' }, previous: { route: { ifindex: 2 } } });
    expect(rows[3].data).toMatchObject({ vteps: ['10.11.0.2', '10.11.0.3'], clearedAt: T0 + 60_000 });
    expect(rows[4].data).toMatchObject({ count: 4, detail: expect.stringContaining('FDB says') });
    expect(sut.events({ kind: 'detection', vtep: '10.11.0.3' }).items).toHaveLength(1);
  });

  it('should write a burst in a few transactions, not one per change', () => {
    sut = start();
    watch();
    const insert = jest.spyOn(source, 'insert');
    const burst = 20_000;
    for (let i = 0; i < burst; i++) {
      const mac = `02:01:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      bus.emit('fdb.changed', { netns: 'h1', change: 'added', entry: learned(mac, '10.11.0.2') });
    }
    expect(insert).toHaveBeenCalledTimes(burst / FLUSH_ROWS);
    expect(insert.mock.calls.every(([rows]) => rows.length === FLUSH_ROWS)).toBe(true);
    expect(source.count()).toBe(burst);
  });

  it('should write a few changes within the flush interval, without a query asking', async () => {
    sut = start();
    watch();
    const insert = jest.spyOn(source, 'insert');
    bus.emit('fdb.changed', { netns: 'h1', change: 'added', entry: learned(C2, '10.11.0.2') });
    bus.emit('fdb.changed', { netns: 'h1', change: 'removed', entry: learned(C2, '10.11.0.2') });
    expect(insert).not.toHaveBeenCalled();
    await sleep(FLUSH_INTERVAL_MS + 50);
    expect(insert).toHaveBeenCalledTimes(1);
    expect(source.count()).toBe(2);
  });

  it('should drop rows past the maximum age when it prunes', async () => {
    sut = start({ historyMaxAgeHours: 24 });
    watch();
    for (let i = 0; i < 3; i++) {
      bus.emit('fdb.changed', { netns: 'h1', change: 'added', entry: learned(`02:00:00:00:00:0${i}`, '10.11.0.2') });
    }
    clock.t += 20 * HOUR;
    bus.emit('fdb.changed', { netns: 'h1', change: 'added', entry: learned('02:00:00:00:00:0a', '10.11.0.2') });
    sut.flush();
    expect(await sut.prune()).toBe(0);

    clock.t += 5 * HOUR;
    expect(await sut.prune()).toBe(3);
    expect(sut.events({}).items.map((e) => e.mac)).toEqual(['02:00:00:00:00:0a']);
  });

  it('should keep at most the maximum number of rows, the newest', async () => {
    sut = start({ historyMaxRows: 10 });
    watch();
    for (let i = 0; i < 25; i++) {
      clock.t += 1;
      bus.emit('fdb.changed', {
        netns: 'h1',
        change: 'added',
        entry: learned(`02:00:00:00:00:${i.toString(16).padStart(2, '0')}`, '10.11.0.2'),
      });
    }
    sut.flush();
    await sut.prune();
    const items = sut.events({}).items;
    expect(items).toHaveLength(10);
    expect(items[0].ts).toBe(T0 + 25);
    expect(items[9].ts).toBe(T0 + 16);
  });

  it('should prune on its own: at start, and after a burst of a tenth of the row bound', async () => {
    sut = start({ historyMaxAgeHours: 1, historyMaxRows: 10 });
    watch();
    bus.emit('fdb.changed', { netns: 'h1', change: 'added', entry: learned(C2, '10.11.0.2') });
    await sut.onApplicationShutdown();
    clock.t += 2 * 3_600_000;

    sut = start({ historyMaxAgeHours: 1, historyMaxRows: 10 });
    await sleep(20);
    expect(source.count()).toBe(0);

    for (let i = 0; i < 25; i++) {
      bus.emit('fdb.changed', {
        netns: 'h1',
        change: 'added',
        entry: learned(`02:00:00:00:00:${i.toString(16).padStart(2, '0')}`, '10.11.0.2'),
      });
    }
    sut.flush();
    await sleep(20);
    expect(source.count()).toBe(10);
  });

  it('should page newest first by cursor and apply every filter', () => {
    sut = start();
    watch();
    watch('h2');
    for (let i = 0; i < 25; i++) {
      clock.t = T0 + i * 1000;
      const ns = i % 5 === 0 ? 'h2' : 'h1';
      bus.emit('fdb.changed', {
        netns: ns,
        change: 'added',
        entry: learned(`02:00:00:00:00:${i.toString(16).padStart(2, '0')}`, i % 2 ? '10.11.0.2' : '10.11.0.3'),
      });
    }
    const pages: number[][] = [];
    let cursor: number | undefined;
    do {
      const page = sut.events({ limit: 10, cursor });
      pages.push(page.items.map((e) => (e.ts - T0) / 1000));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, i) => 24 - i));

    const secs = (q: Parameters<HistoryService['events']>[0]): number[] =>
      sut.events(q).items.map((e) => (e.ts - T0) / 1000);
    expect(secs({ netns: 'h2' })).toEqual([20, 15, 10, 5, 0]);
    expect(secs({ mac: '02:00:00:00:00:0b' })).toEqual([11]);
    expect(secs({ vtep: '10.11.0.3', since: T0 + 10_000, until: T0 + 16_000 })).toEqual([16, 14, 12, 10]);
    expect(secs({ vni: 1, kind: 'fdb', limit: 2 })).toEqual([24, 23]);
    expect(secs({ vni: 2 })).toEqual([]);
    expect(secs({ kind: 'link' })).toEqual([]);
  });

  it('should find everything again after a restart, including changes not yet flushed at shutdown', async () => {
    sut = start();
    watch();
    bus.emit('fdb.changed', { netns: 'h1', change: 'added', entry: learned(C2, '10.11.0.2') });
    await sut.onApplicationShutdown();
    expect(() => sut.events({})).toThrow(ServiceUnavailableException);

    sut = start();
    expect(sut.fdbHistory(C2, {})).toEqual([
      expect.objectContaining({ change: 'added', vtep: '10.11.0.2', device: 'vxlan0' }),
    ]);
    bus.emit('fdb.changed', { netns: 'h1', change: 'removed', entry: learned(C2, '10.11.0.2') });
    expect(sut.fdbHistory(C2, {}).map((t) => t.change)).toEqual(['removed', 'added']);
  });

  it('should run without history, and say why, when the database cannot be opened', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const notADir = path.join(dir, 'file');
    writeFileSync(notADir, 'x');
    sut = start({}, notADir);
    watch();
    bus.emit('fdb.changed', { netns: 'h1', change: 'added', entry: learned(C2, '10.11.0.2') });
    expect(() => sut.events({})).toThrow(/history is unavailable: .*history\.sqlite.*EEXIST/);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('history is off'));
    logged.mockRestore();
  });
});
