import type { FdbEntry, LinkInfo } from '../netlink/netlink.types';
import { formatMacNumber, ipv4ToNumber, KernelView, macAt, macToNumber } from './kernel-view';
import { vxlanInfo } from '../netlink/testing/link-builders';

const n = ipv4ToNumber;
const ZERO = '00:00:00:00:00:00';
const MAC = '02:5c:01:02:01:01';

function link(ifindex: number, name: string, extra: Partial<LinkInfo> = {}): LinkInfo {
  return { ifindex, name, adminUp: true, lowerUp: true, operstate: 'up', mtu: 1500, ...extra };
}

function vxlan(ifindex: number, vni: number, o: { port?: number; local?: string; group?: string; mtu?: number; learning?: boolean; external?: boolean } = {}): LinkInfo {
  return link(ifindex, `vx${ifindex}`, {
    kind: 'vxlan',
    mtu: o.mtu ?? 1450,
    vxlan: vxlanInfo({
      vni,
      dstport: o.port ?? 4789,
      ...(o.local !== undefined && { local: o.local }),
      ...(o.group !== undefined && { group: o.group }),
      underlayIfindex: 2,
      learning: o.learning ?? true,
      external: o.external ?? false,
    }),
  });
}

function fdb(ifindex: number, mac: string, dst?: string, extra: Partial<FdbEntry> = {}): FdbEntry {
  return { ifindex, mac, ...(dst !== undefined && { dst }), flags: ['self'], state: ['reachable'], isStatic: false, ...extra };
}

describe(KernelView.name, () => {
  let now: number;
  let sut: KernelView;

  beforeEach(() => {
    now = 1000;
    sut = new KernelView(() => now);
  });

  it('should convert addresses and MACs to numbers and back', () => {
    expect(n('10.254.1.2')).toBe(0x0afe0102);
    expect(n('255.255.255.255')).toBe(0xffffffff);
    expect(n('fd00::1')).toBe(-1);
    expect(n('300.1.1.1')).toBe(-1);
    expect(macToNumber(MAC)).toBe(0x025c01020101);
    expect(macAt(Uint8Array.of(0, 0x02, 0x5c, 1, 2, 1, 1), 1)).toBe(0x025c01020101);
    expect(formatMacNumber(0x025c01020101)).toBe(MAC);
    expect(formatMacNumber(0)).toBe(ZERO);
  });

  it('should take local VTEPs, groups, ports, VNIs and MTUs from the vxlan devices', () => {
    sut.reset([link(2, 'u0', { mtu: 9000 }), vxlan(10, 100, { local: '10.0.0.1' }), vxlan(11, 200, { local: '10.0.0.1', group: '239.1.1.1', port: 8472, mtu: 8950 })], []);
    expect(sut.isLocal(n('10.0.0.1'))).toBe(true);
    expect(sut.isLocal(n('10.0.0.2'))).toBe(false);
    expect(sut.isLocalOrGroup(n('239.1.1.1'))).toBe(true);
    expect(sut.wildcardLocal).toBe(false);
    expect(sut.portsListening()).toEqual([4789, 8472]);
    expect([...sut.listeners(4789)!.byVni.keys()]).toEqual([100]);
    expect(sut.listeners(8472)!.byVni.get(200)).toMatchObject({ name: 'vx11', mtu: 8950, underlayMtu: 9000, learning: true });
    expect(sut.sender(100, n('10.0.0.1'))?.ifindex).toBe(10);
    expect(sut.sender(300, n('10.0.0.1'))).toBeUndefined();
  });

  it('should mark a device without local as a wildcard and treat port 0 as the kernel default 8472', () => {
    sut.reset([vxlan(10, 100, { port: 0 })], []);
    expect(sut.wildcardLocal).toBe(true);
    expect(sut.portsListening()).toEqual([8472]);
    expect(sut.sender(100, n('10.9.9.9'))?.ifindex).toBe(10);
  });

  it('should keep the vxlan FDB per VNI and MAC: flood entries with several remotes, unicast ones replaced', () => {
    sut.reset([vxlan(10, 100, { local: '10.0.0.1' })], [fdb(10, ZERO, '10.0.0.2', { isStatic: true }), fdb(10, ZERO, '10.0.0.3', { isStatic: true })]);
    expect(sut.floods(100)).toEqual([n('10.0.0.2'), n('10.0.0.3')]);
    sut.apply({ type: 'fdb.added', entry: fdb(10, MAC, '10.0.0.2') });
    expect(sut.route(100, macToNumber(MAC))).toEqual({ dsts: [n('10.0.0.2')], isStatic: false, changedAt: 1000 });
    now = 2000;
    sut.apply({ type: 'fdb.added', entry: fdb(10, MAC, '10.0.0.3') }); // learning moved it: no removal comes
    expect(sut.route(100, macToNumber(MAC))).toEqual({ dsts: [n('10.0.0.3')], isStatic: false, changedAt: 2000 });
    sut.apply({ type: 'fdb.removed', entry: fdb(10, ZERO, '10.0.0.2') });
    expect(sut.floods(100)).toEqual([n('10.0.0.3')]);
    now = 3000;
    sut.apply({ type: 'fdb.removed', entry: fdb(10, MAC, '10.0.0.3') });
    expect(sut.route(100, macToNumber(MAC))).toBeUndefined();
    expect(sut.removedAt(100, macToNumber(MAC))).toBe(3000);
    now = 10_000;
    sut.prune();
    expect(sut.removedAt(100, macToNumber(MAC))).toBe(0);
  });

  it('should keep the time of an unchanged route when the same entry is announced again', () => {
    sut.reset([vxlan(10, 100)], [fdb(10, MAC, '10.0.0.2')]);
    now = 5000;
    sut.apply({ type: 'fdb.added', entry: fdb(10, MAC, '10.0.0.2') });
    expect(sut.route(100, macToNumber(MAC))?.changedAt).toBe(1000);
  });

  it('should ignore bridge-table rows and honour an explicit VNI on a row', () => {
    sut.reset(
      [link(5, 'obr0', { kind: 'bridge' }), vxlan(10, 100)],
      [fdb(10, MAC, undefined, { master: 5, flags: [] }), fdb(10, '02:00:00:00:00:09', '10.0.0.9', { vni: 300 })],
    );
    expect(sut.route(100, macToNumber(MAC))).toBeUndefined();
    expect(sut.route(300, macToNumber('02:00:00:00:00:09'))?.dsts).toEqual([n('10.0.0.9')]);
  });

  it('should follow a device re-created with another VNI: its rows move, the old ones leave tombstones', () => {
    sut.reset([vxlan(10, 100)], [fdb(10, ZERO, '10.0.0.2', { isStatic: true }), fdb(10, MAC, '10.0.0.2')]);
    now = 2000;
    sut.apply({ type: 'link.removed', ifindex: 10, name: 'vx10' });
    expect(sut.empty).toBe(true);
    expect(sut.route(100, macToNumber(MAC))).toBeUndefined();
    expect(sut.removedAt(100, macToNumber(MAC))).toBe(2000);
    expect(sut.configChangedAt).toBe(2000);
    now = 3000;
    // The FDB row may come before its link: it waits until the link says which VNI it is in.
    sut.apply({ type: 'fdb.added', entry: fdb(12, ZERO, '10.0.0.2', { isStatic: true }) });
    sut.apply({ type: 'link.changed', link: vxlan(12, 101) });
    expect(sut.floods(101)).toEqual([n('10.0.0.2')]);
    expect(sut.listeners(4789)!.byVni.has(101)).toBe(true);
    expect(sut.configChangedAt).toBe(3000);
  });

  it('should not count a link change that leaves the devices as they were as a configuration change', () => {
    sut.reset([link(2, 'u0'), vxlan(10, 100)], []);
    now = 5000;
    sut.apply({ type: 'link.changed', link: link(7, 've1') });
    expect(sut.configChangedAt).toBe(1000);
    sut.apply({ type: 'link.changed', link: link(2, 'u0', { mtu: 1400 }) });
    expect(sut.configChangedAt).toBe(5000);
    expect(sut.devices[0].underlayMtu).toBe(1400);
  });
});
