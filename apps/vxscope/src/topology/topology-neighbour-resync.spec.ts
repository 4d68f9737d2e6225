import { EventBus } from '../events/event-bus.service';
import type { EventMap } from '../events/events';
import type { NeighEntry } from '../netlink/netlink.types';
import { TopologyService } from './topology.service';

const neigh = (ip: string, mac: string, state: NeighEntry['state'] = ['reachable']): NeighEntry => ({
  family: 4,
  ip,
  ifindex: 2,
  mac,
  flags: [],
  state,
  isStatic: false,
});

describe(TopologyService.name, () => {
  it('should publish neighbour events, and what changed while blind when a resync dump arrives', () => {
    const bus = new EventBus();
    const sut = new TopologyService(bus);
    sut.onModuleInit();
    const published: EventMap['neigh.changed'][] = [];
    bus.on('neigh.changed', (e) => published.push(e));
    bus.emit('kernel.links', {
      netns: 'h1',
      links: [{ ifindex: 2, name: 'u0', adminUp: true, lowerUp: true, operstate: 'up' }],
    });

    bus.emit('kernel.neigh', {
      netns: 'h1',
      entries: [neigh('10.11.0.2', '02:00:00:00:00:02'), neigh('10.11.0.3', '02:00:00:00:00:03')],
    });
    bus.emit('kernel.event', {
      netns: 'h1',
      event: { type: 'neigh.added', entry: neigh('10.11.0.4', '02:00:00:00:00:04') },
    });
    bus.emit('kernel.neigh', {
      netns: 'h1',
      entries: [neigh('10.11.0.2', '02:00:00:00:00:02', ['stale']), neigh('10.11.0.4', '02:00:00:00:00:04')],
    });

    expect(published.map((e) => [e.change, e.entry.ip, e.entry.state, e.previous?.state])).toEqual([
      ['added', '10.11.0.4', ['reachable'], undefined],
      ['updated', '10.11.0.2', ['stale'], ['reachable']],
      ['removed', '10.11.0.3', ['reachable'], undefined],
    ]);
    expect(sut.neighbors({ netns: 'h1', mac: '02:00:00:00:00:02' })).toEqual([
      expect.objectContaining({
        netns: 'h1',
        ip: '10.11.0.2',
        family: 4,
        device: 'u0',
        mac: '02:00:00:00:00:02',
        state: ['stale'],
        type: 'dynamic',
      }),
    ]);
  });
});
