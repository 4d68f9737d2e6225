import { routeTargets } from './route-targets';
import { link, vxlanInfo as vxlan } from './testing/link-builders';


describe(routeTargets.name, () => {
  it('should list each remote VTEP once, pinned to the underlay device the vxlan driver would use', () => {
    const links = new Map([
      [2, link(2, 'u0')],
      [3, link(3, 'vxlan0', { kind: 'vxlan', vxlan: vxlan({ remote: '10.0.0.2', underlayIfindex: 2 }) })],
      [4, link(4, 'vxlan1', { kind: 'vxlan', vxlan: vxlan({ vni: 2, group: '239.1.1.1' }) })],
    ]);
    const fdb = [
      { ifindex: 3, dst: '10.0.0.2' },
      { ifindex: 3, dst: '10.0.0.9' },
      { ifindex: 4, dst: '10.0.0.7', viaIfindex: 2 },
      { ifindex: 4, dst: '0.0.0.0' },
      { ifindex: 5 },
    ];
    expect(routeTargets(links, fdb)).toEqual([
      { destination: '10.0.0.2', oif: 2 },
      { destination: '10.0.0.7', oif: 2 },
      { destination: '10.0.0.9', oif: 2 },
      { destination: '239.1.1.1' },
    ]);
  });
});
