// NetlinkSource's change requests refuse bad arguments before anything reaches the kernel. What the
// kernel makes of good ones is checked against `ip`/`bridge` in test/netlink-ops.e2e-spec.ts.
import { NetlinkError } from './netlink-error';
import { NetlinkSource } from './netlink.source';
import type { FdbAddSpec, VxlanSpec } from './netlink.types';

const VXLAN: VxlanSpec = { vni: 1, port: 4789, learning: true };
const FDB: FdbAddSpec = {
  ifindex: 3,
  mac: '00:00:00:00:00:00',
  dst: '10.0.0.2',
  mode: 'append',
  permanent: true,
  self: true,
};

describe(`${NetlinkSource.name} change requests`, () => {
  let sut: NetlinkSource;

  beforeEach(() => {
    sut = new NetlinkSource();
  });

  afterEach(() => {
    // No request was sent, so no socket was opened.
    expect((sut as unknown as { requestSocket?: unknown }).requestSocket).toBeUndefined();
    sut.close();
  });

  const refused = async (promise: Promise<unknown>, op: string, message: RegExp): Promise<void> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetlinkError);
    expect(error).toMatchObject({ op, code: 'EINVAL', errno: undefined });
    expect((error as Error).message).toMatch(message);
  };

  it('should refuse device names the kernel cannot hold', async () => {
    await refused(sut.createBridge(''), 'createBridge', /1 to 15 bytes/);
    await refused(sut.createBridge('a-name-too-long-1'), 'createBridge', /1 to 15 bytes/);
  });

  it.each([
    [{ vni: 1 << 24 }, /bad vni 16777216/],
    [{ port: 70000 }, /bad port 70000/],
    [{ local: '10.0.0.300' }, /bad local address "10.0.0.300"/],
    [{ remote: '10.0.0.2', group: '239.1.1.1' }, /exclude each other/],
    [{ remote: '239.1.1.1' }, /remote 239.1.1.1 is multicast: use group/],
    [{ group: '10.0.0.2' }, /group 10.0.0.2 is not multicast/],
    [{ local: '10.0.0.1', remote: 'fd00::2' }, /different address families/],
    [{ underlayIfindex: -1 }, /bad underlay ifindex -1/],
    [{ ttl: 256 }, /bad ttl 256/],
  ] as [Partial<VxlanSpec>, RegExp][])('should refuse a vxlan device with %j', async (patch, message) => {
    await refused(sut.createVxlan('vx0', { ...VXLAN, ...patch }), 'createVxlan', message);
  });

  it('should refuse bad link settings', async () => {
    await refused(sut.setLink(0, { up: true }), 'setLink', /bad ifindex/);
    await refused(sut.setLink(3, { mac: '02:00:00:00:00' }), 'setLink', /bad MAC/);
    await refused(sut.setLink(3, { mtu: -1 }), 'setLink', /bad mtu -1/);
    await refused(sut.setLink(3, { master: 1.5 }), 'setLink', /bad master 1.5/);
    await refused(sut.deleteLink(-3), 'deleteLink', /bad ifindex/);
    await refused(sut.changeVxlanLearning(0, false), 'changeVxlanLearning', /bad ifindex/);
  });

  it('should refuse addresses that are not address[/prefix]', async () => {
    await refused(sut.addAddress(3, '10.0.0.1/33'), 'addAddress', /not an IPv4 or IPv6/);
    await refused(sut.deleteAddress(3, 'fd00::1/129'), 'deleteAddress', /not an IPv4 or IPv6/);
  });

  it.each([
    [{ mac: 'nope' }, /bad MAC "nope"/],
    [{ dst: '10.0.0' }, /bad dst "10.0.0"/],
    [{ vni: -1 }, /bad vni -1/],
    [{ port: 65536 }, /bad port 65536/],
    [{ mode: 'prepend' }, /bad mode "prepend"/],
    [{ ifindex: 0 }, /bad ifindex/],
  ] as [Partial<FdbAddSpec>, RegExp][])('should refuse an FDB entry with %j', async (patch, message) => {
    await refused(sut.addFdb({ ...FDB, ...patch }), 'addFdb', message);
  });

  it('should refuse deleting an FDB entry with a bad MAC', async () => {
    await refused(sut.deleteFdb({ ifindex: 3, mac: '00:00:00:00:00' }), 'deleteFdb', /bad MAC/);
  });
});
