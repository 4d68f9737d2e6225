/**
 * IP neighbours, routes toward remote VTEPs, and the VTEP view, checked against `ip -j neigh`,
 * `ip -j route get` and the captured VTEP pairs. The real daemon watches host 1 of a seed overlay;
 * every address used lives in the test's namespaces.
 */
import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { SeedOverlay } from '../apps/vxscope/src/lab/seed-overlay';
import { DaemonProcess, waitFor } from './support/daemon';
import { uniquePrefix } from './support/env';
import { LiveClient } from './support/live-client';

interface Neighbor {
  netns: string;
  ip: string;
  family: number;
  device: string;
  mac?: string;
  state: string[];
  type: string;
}
interface Route {
  netns: string;
  vtep: string;
  device?: string;
  gateway?: string;
  prefsrc?: string;
  type?: string;
  error?: string;
}
interface Vtep {
  netns: string;
  address: string;
  devices: string[];
  fdb: { mac: string; device: string }[];
  traffic: { packetsTo: number; packetsFrom: number; bytesTo: number; bytesFrom: number };
  lastHeard?: string;
  route?: Route;
}
interface Vni {
  vni: number;
  vtepPairs: { src: string; dst: string; packets: number }[];
}
interface IpNeigh {
  dst: string;
  dev: string;
  lladdr?: string;
  state: string[];
}
interface IpRoute {
  dst: string;
  dev: string;
  gateway?: string;
  prefsrc?: string;
}

describe('neighbours, routes toward VTEPs and the VTEP view', () => {
  const run = new CommandRunner();
  const seed = new SeedOverlay(run, { prefix: uniquePrefix() });
  const [h1, h2] = seed.hosts;
  const [c1, c2] = seed.containers;
  const static1 = { ip: '10.11.0.77', mac: '02:00:00:00:77:77' };
  const routed = { vtep: '10.12.0.9', mac: '02:00:00:00:0c:01' };
  let daemon: DaemonProcess | undefined;
  let live: LiveClient | undefined;

  const routeGet = async (dst: string): Promise<IpRoute> =>
    (
      JSON.parse(await run.run('ip', ['-n', h1.netns, '-j', 'route', 'get', dst, 'oif', h1.underlayIf])) as IpRoute[]
    )[0];

  beforeAll(async () => {
    await seed.create();
    daemon = await DaemonProcess.start(['--netns', h1.netns], { env: { VXSCOPE_RESYNC_INTERVAL_S: '2' } });
    live = await LiveClient.connect(`ws://127.0.0.1:${daemon.port}/ws`);
    await waitFor('capture on the underlay', async () => {
      const h = await daemon!.get<{ status: string }>('/healthz');
      return h.status === 'ok' ? true : undefined;
    });
    const out = await run.runIn(c1.netns, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', c2.ip]);
    expect(out).toContain('3 received');
  }, 60_000);

  afterAll(async () => {
    live?.close();
    await daemon?.stop();
    await seed.destroy();
  });

  it('should list the IPv4 neighbours as ip neigh show nud all does', async () => {
    const h2Mac = (
      JSON.parse(await run.run('ip', ['-n', h2.netns, '-j', 'link', 'show', h2.underlayIf])) as { address: string }[]
    )[0].address;
    const underlay = await waitFor('the underlay neighbour of host 2', async () =>
      (await daemon!.get<Neighbor[]>(`/api/neighbors?netns=${h1.netns}&ip=${h2.underlayIp}`)).find(
        (n) => n.mac !== undefined,
      ),
    );
    expect(underlay).toMatchObject({
      netns: h1.netns,
      ip: h2.underlayIp,
      family: 4,
      device: h1.underlayIf,
      mac: h2Mac,
      type: 'dynamic',
    });
    const byMac = await daemon!.get<Neighbor[]>(`/api/neighbors?netns=${h1.netns}&mac=${h2Mac.toUpperCase()}`);
    expect(byMac.map((n) => n.ip)).toEqual([h2.underlayIp]);

    // Every entry, NOARP ones (multicast) included, as `ip neigh show nud all`. The kernel does not announce every NUD transition (REACHABLE → DELAY → PROBE are silent), so the
    // states agree after the next resync (every 2 s here); the neighbours themselves agree at once.
    const kernelRows = async (withState: boolean): Promise<string[]> =>
      (JSON.parse(await run.run('ip', ['-n', h1.netns, '-j', 'neigh', 'show', 'nud', 'all'])) as IpNeigh[])
        .map(
          (n) =>
            `${n.dst} ${n.dev} ${n.lladdr ?? ''}${
              withState
                ? ` ${n.state
                    .map((x) => x.toLowerCase())
                    .sort()
                    .join(',')}`
                : ''
            }`,
        )
        .sort();
    const apiRows = async (withState: boolean): Promise<string[]> =>
      (await daemon!.get<Neighbor[]>(`/api/neighbors?netns=${h1.netns}`))
        .map((n) => `${n.ip} ${n.device} ${n.mac ?? ''}${withState ? ` ${[...n.state].sort().join(',')}` : ''}`)
        .sort();
    for (const withState of [false, true]) {
      let last = '';
      await waitFor(
        `/api/neighbors to equal ip neigh show${withState ? ', states included' : ''}`,
        async () => {
          const [api, kernel] = [await apiRows(withState), await kernelRows(withState)];
          last = `api: ${JSON.stringify(api)}\nkernel: ${JSON.stringify(kernel)}`;
          return JSON.stringify(api) === JSON.stringify(kernel) ? true : undefined;
        },
        10_000,
        250,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${last}`);
      });
    }
  });

  it('should push neighbour changes on the WebSocket as neigh.changes', async () => {
    const before = live!.messages.length;
    await run.run('ip', [
      '-n',
      h1.netns,
      'neigh',
      'add',
      static1.ip,
      'lladdr',
      static1.mac,
      'dev',
      h1.underlayIf,
      'nud',
      'permanent',
    ]);
    const added = await waitFor('neigh.changes (added)', async () =>
      live!.messages
        .slice(before)
        .find(
          (m) =>
            m.type === 'neigh.changes' &&
            m.data.changes.some(
              (c: { change: string; neighbor: Neighbor }) => c.change === 'added' && c.neighbor.ip === static1.ip,
            ),
        ),
    );
    expect(added.data.changes.find((c: { neighbor: Neighbor }) => c.neighbor.ip === static1.ip)).toMatchObject({
      netns: h1.netns,
      change: 'added',
      neighbor: { ip: static1.ip, mac: static1.mac, device: h1.underlayIf, state: ['permanent'], type: 'static' },
    });
    expect(await daemon!.get<Neighbor[]>(`/api/neighbors?netns=${h1.netns}&ip=${static1.ip}`)).toHaveLength(1);

    await run.run('ip', ['-n', h1.netns, 'neigh', 'del', static1.ip, 'dev', h1.underlayIf]);
    await waitFor('neigh.changes (removed)', async () =>
      live!.messages
        .slice(before)
        .find(
          (m) =>
            m.type === 'neigh.changes' &&
            m.data.changes.some(
              (c: { change: string; neighbor: Neighbor }) => c.change === 'removed' && c.neighbor.ip === static1.ip,
            ),
        ),
    );
    expect(await daemon!.get<Neighbor[]>(`/api/neighbors?netns=${h1.netns}&ip=${static1.ip}`)).toEqual([]);
  });

  it('should give the route toward each remote VTEP as ip route get does, also through a gateway', async () => {
    const direct = await waitFor('the route toward host 2', async () =>
      (await daemon!.get<Route[]>(`/api/routes?netns=${h1.netns}`)).find((r) => r.vtep === h2.underlayIp),
    );
    const kernelDirect = await routeGet(h2.underlayIp);
    expect(direct).toMatchObject({
      netns: h1.netns,
      vtep: h2.underlayIp,
      device: kernelDirect.dev,
      prefsrc: kernelDirect.prefsrc,
      type: 'unicast',
    });
    expect(direct.gateway).toBeUndefined();
    expect(kernelDirect).toMatchObject({ dev: h1.underlayIf, prefsrc: h1.underlayIp });

    // A VTEP behind a router: a route through host 2, and an FDB entry naming it.
    await run.run('ip', ['-n', h1.netns, 'route', 'add', '10.12.0.0/24', 'via', h2.underlayIp, 'dev', h1.underlayIf]);
    await run.run('bridge', [
      '-n',
      h1.netns,
      'fdb',
      'add',
      routed.mac,
      'dev',
      h1.vxlan,
      'dst',
      routed.vtep,
      'self',
      'permanent',
    ]);
    const viaGateway = await waitFor(
      'the route toward the routed VTEP',
      async () => (await daemon!.get<Route[]>(`/api/routes?netns=${h1.netns}`)).find((r) => r.vtep === routed.vtep),
      5000,
    );
    const kernelRouted = await routeGet(routed.vtep);
    expect(kernelRouted).toMatchObject({ gateway: h2.underlayIp, dev: h1.underlayIf });
    expect(viaGateway).toMatchObject({
      vtep: routed.vtep,
      device: kernelRouted.dev,
      gateway: kernelRouted.gateway,
      prefsrc: kernelRouted.prefsrc,
      type: 'unicast',
    });
  });

  it('should list each remote VTEP with its FDB entries, its traffic as captured, when it was last heard, and its route', async () => {
    const vteps = await waitFor(
      'both VTEPs with their routes',
      async () => {
        const list = await daemon!.get<Vtep[]>(`/api/vteps?netns=${h1.netns}`);
        return list.length === 2 && list.every((v) => v.route) ? list : undefined;
      },
      5000,
    );
    const pairs = (await daemon!.get<Vni[]>(`/api/vnis?netns=${h1.netns}&vni=${seed.vni}`))[0].vtepPairs;
    const count = (src: string, dst: string): number => pairs.find((p) => p.src === src && p.dst === dst)?.packets ?? 0;
    const [peer, routedVtep] = vteps;

    expect(peer).toMatchObject({
      netns: h1.netns,
      address: h2.underlayIp,
      devices: [h1.vxlan],
      route: { device: h1.underlayIf, prefsrc: h1.underlayIp },
    });
    expect(peer.fdb.map((e) => e.mac)).toEqual(expect.arrayContaining(['00:00:00:00:00:00', c2.mac]));
    // Compared with one read of /api/vnis; the traffic counters only grow, so allow for packets in between.
    expect(peer.traffic.packetsTo).toBeGreaterThan(0);
    expect(peer.traffic.packetsFrom).toBeGreaterThan(0);
    expect(peer.traffic.packetsTo).toBeLessThanOrEqual(count(h1.underlayIp, h2.underlayIp));
    expect(peer.traffic.packetsFrom).toBeLessThanOrEqual(count(h2.underlayIp, h1.underlayIp));
    expect(Date.parse(peer.lastHeard!)).toBeGreaterThan(Date.now() - 60_000);

    expect(routedVtep).toMatchObject({
      address: routed.vtep,
      devices: [],
      fdb: [{ mac: routed.mac, device: h1.vxlan }],
      route: { gateway: h2.underlayIp },
    });
    expect(routedVtep.traffic).toMatchObject({ packetsTo: 0, packetsFrom: 0 });
    expect(routedVtep.lastHeard).toBeUndefined();
    expect(await daemon!.get<Vtep[]>(`/api/vteps?netns=${h1.netns}&address=${routed.vtep}`)).toHaveLength(1);
  });
});
