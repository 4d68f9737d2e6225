import { EventBus } from '../events/event-bus.service';
import type { FdbEntry, LinkInfo } from '../netlink/netlink.types';
import { TopologyService } from './topology.service';
import { vxlanInfo } from '../netlink/testing/link-builders';

const vxlan = vxlanInfo({ remote: '10.11.0.2', local: '10.11.0.1', underlayIfindex: 2 });
const links: LinkInfo[] = [
  { ifindex: 2, name: 'u0', adminUp: true, lowerUp: true, operstate: 'up' },
  { ifindex: 5, name: 'vxlan0', kind: 'vxlan', vxlan, adminUp: true, lowerUp: true, operstate: 'unknown' },
];
const fdb = (mac: string, dst: string, isStatic = false): FdbEntry => ({
  mac,
  ifindex: 5,
  dst,
  flags: ['self'],
  state: isStatic ? ['permanent'] : ['reachable'],
  isStatic,
});

describe(TopologyService.name, () => {
  it('should list each remote VTEP with the FDB entries pointing to it and the route toward it', () => {
    const bus = new EventBus();
    const sut = new TopologyService(bus);
    sut.onModuleInit();

    bus.emit('kernel.links', { netns: 'h1', links });
    bus.emit('kernel.fdb', {
      netns: 'h1',
      entries: [
        fdb('00:00:00:00:00:00', '10.11.0.2', true),
        fdb('02:00:00:00:01:03', '10.11.0.2'),
        fdb('02:00:00:00:01:09', '10.12.0.9', true),
      ],
    });
    bus.emit('kernel.routes', {
      netns: 'h1',
      routes: [
        {
          vtep: '10.11.0.2',
          oif: 2,
          route: { destination: '10.11.0.2', family: 4, type: 'unicast', ifindex: 2, prefsrc: '10.11.0.1', table: 254 },
        },
        { vtep: '10.12.0.9', oif: 2, error: 'ENETUNREACH' },
      ],
    });

    expect(
      sut
        .remoteVteps('h1')
        .map(({ route, fdb: entries, ...v }) => ({
          ...v,
          macs: entries.map((e) => e.mac),
          route: { device: route?.device, prefsrc: route?.prefsrc, error: route?.error },
        })),
    ).toEqual([
      {
        netns: 'h1',
        address: '10.11.0.2',
        devices: ['vxlan0'],
        macs: ['00:00:00:00:00:00', '02:00:00:00:01:03'],
        route: { device: 'u0', prefsrc: '10.11.0.1', error: undefined },
      },
      {
        netns: 'h1',
        address: '10.12.0.9',
        devices: [],
        macs: ['02:00:00:00:01:09'],
        route: { device: undefined, prefsrc: undefined, error: 'ENETUNREACH' },
      },
    ]);
  });
});
