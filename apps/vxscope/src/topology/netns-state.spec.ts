import type { FdbEntry } from '../netlink/netlink.types';
import type { VtepRouteLookup } from '../netlink/route.types';
import { NetnsState } from './netns-state';

const learned = (mac: string, dst: string, patch: Partial<FdbEntry> = {}): FdbEntry => ({
  mac,
  ifindex: 5,
  dst,
  flags: ['self'],
  state: ['reachable'],
  isStatic: false,
  ...patch,
});

describe(NetnsState.name, () => {
  it('should treat a learned MAC that moves to another VTEP as an update carrying the previous entry', () => {
    const sut = new NetnsState('h1');
    expect(sut.upsertFdb(learned('02:00:00:00:01:03', '10.0.0.2'), 1)).toMatchObject({ change: 'added' });
    const moved = sut.upsertFdb(learned('02:00:00:00:01:03', '10.0.0.3'), 2);
    expect(moved).toMatchObject({ change: 'updated', entry: { dst: '10.0.0.3' }, previous: { dst: '10.0.0.2' } });
    expect(sut.fdb.size).toBe(1);
  });

  it('should keep one row per remote for the all-zeros flood entries', () => {
    const sut = new NetnsState('h1');
    const zero = (dst: string): FdbEntry => learned('00:00:00:00:00:00', dst, { state: ['permanent'], isStatic: true });
    sut.upsertFdb(zero('10.0.0.2'), 1);
    sut.upsertFdb(zero('10.0.0.3'), 1);
    expect(sut.fdb.size).toBe(2);
    expect(sut.removeFdb(zero('10.0.0.2'))).toMatchObject({ change: 'removed' });
    expect([...sut.fdb.values()].map((r) => r.entry.dst)).toEqual(['10.0.0.3']);
  });

  it('should keep the bridge entry and the vxlan entry of one MAC apart', () => {
    const sut = new NetnsState('h1');
    sut.upsertFdb(learned('02:00:00:00:01:03', '10.0.0.2'), 1);
    sut.upsertFdb(
      { mac: '02:00:00:00:01:03', ifindex: 5, master: 3, flags: ['master'], state: [], isStatic: false },
      1,
    );
    expect(sut.fdb.size).toBe(2);
  });

  it('should not report a change when only the ageing clocks moved', () => {
    const sut = new NetnsState('h1');
    sut.upsertFdb(learned('02:00:00:00:01:03', '10.0.0.2', { updatedSecAgo: 1 }), 1);
    expect(sut.upsertFdb(learned('02:00:00:00:01:03', '10.0.0.2', { updatedSecAgo: 9 }), 2)).toBeUndefined();
  });

  it('should diff a fresh dump against what it had (a resync)', () => {
    const sut = new NetnsState('h1');
    sut.replaceFdb([learned('02:00:00:00:00:01', '10.0.0.2'), learned('02:00:00:00:00:02', '10.0.0.2')], 1);
    const diffs = sut.replaceFdb(
      [learned('02:00:00:00:00:02', '10.0.0.3'), learned('02:00:00:00:00:03', '10.0.0.2')],
      2,
    );
    expect(diffs.map((d) => [d.change, d.entry.mac]).sort()).toEqual([
      ['added', '02:00:00:00:00:03'],
      ['removed', '02:00:00:00:00:01'],
      ['updated', '02:00:00:00:00:02'],
    ]);
  });

  it('should drop the FDB entries of a removed link', () => {
    const sut = new NetnsState('h1');
    sut.upsertFdb(learned('02:00:00:00:00:01', '10.0.0.2'), 1);
    sut.upsertFdb(learned('02:00:00:00:00:02', '10.0.0.2', { ifindex: 6 }), 1);
    expect(sut.dropFdbOf(5).map((d) => d.entry.mac)).toEqual(['02:00:00:00:00:01']);
    expect(sut.fdb.size).toBe(1);
  });
});

describe(`${NetnsState.name} routes`, () => {
  it('should report a VTEP whose route changed, appeared or went away', () => {
    const sut = new NetnsState('h1');
    const via = (vtep: string, ifindex: number): VtepRouteLookup => ({
      vtep,
      route: { destination: vtep, family: 4, type: 'unicast', ifindex },
    });
    sut.replaceRoutes([via('10.0.0.2', 2), via('10.0.0.3', 2)], 1);
    const diffs = sut.replaceRoutes([via('10.0.0.2', 3), { vtep: '10.0.0.4', error: 'ENETUNREACH' }], 2);
    expect(diffs.map((d) => [d.change, d.route.vtep, d.previous?.route?.ifindex])).toEqual([
      ['updated', '10.0.0.2', 2],
      ['added', '10.0.0.4', undefined],
      ['removed', '10.0.0.3', undefined],
    ]);
    expect(sut.routes.get('10.0.0.2')).toMatchObject({ since: 1, updatedAt: 2 });
  });
});
