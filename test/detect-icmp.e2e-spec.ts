/**
 * "MTU: ICMP fragmentation-needed toward a VTEP" on a real routed underlay: h1 — r — h2, with the
 * router's egress towards h2 at MTU 1400 and vxlan devices that set DF on the outer header
 * (`df set`). A full-size inner frame makes the router send RFC 1191 fragmentation-needed back to
 * h1's VTEP, which the daemon watching h1 must report.
 */
import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { DaemonProcess, waitFor } from './support/daemon';
import { uniquePrefix } from './support/env';

interface Detection {
  kind: string;
  reason: string;
  vni?: number;
  vtep?: string;
  count: number;
}

describe('ICMP fragmentation-needed toward a VTEP', () => {
  const run = new CommandRunner();
  const p = uniquePrefix();
  const [h1, r, h2, c1, c2] = ['h1', 'r', 'h2', 'c1', 'c2'].map((n) => `${p}-${n}`);
  const ip = (ns: string, ...args: string[]): Promise<string> => run.run('ip', ['-n', ns, ...args]);
  let daemon: DaemonProcess | undefined;

  beforeAll(async () => {
    for (const ns of [h1, r, h2, c1, c2]) {
      await run.run('ip', ['netns', 'add', ns]);
      await run.runIn(ns, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      await ip(ns, 'link', 'set', 'lo', 'up');
    }
    await run.runIn(r, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    await run.run('ip', ['link', 'add', 'u0', 'netns', h1, 'type', 'veth', 'peer', 'name', 'ra', 'netns', r]);
    await run.run('ip', ['link', 'add', 'u0', 'netns', h2, 'type', 'veth', 'peer', 'name', 'rb', 'netns', r]);
    await ip(r, 'addr', 'add', '10.21.1.254/24', 'dev', 'ra');
    await ip(r, 'addr', 'add', '10.21.2.254/24', 'dev', 'rb');
    // The narrow link: what leaves the router towards h2 must fit 1400 bytes.
    await ip(r, 'link', 'set', 'dev', 'rb', 'mtu', '1400');
    await ip(r, 'link', 'set', 'dev', 'ra', 'up');
    await ip(r, 'link', 'set', 'dev', 'rb', 'up');
    for (const [h, self, gw, net, peer, c, cip] of [
      [h1, '10.21.1.1', '10.21.1.254', '10.21.2.0/24', '10.21.2.1', c1, '172.16.5.2'],
      [h2, '10.21.2.1', '10.21.2.254', '10.21.1.0/24', '10.21.1.1', c2, '172.16.5.3'],
    ] as const) {
      await ip(h, 'addr', 'add', `${self}/24`, 'dev', 'u0');
      await ip(h, 'link', 'set', 'u0', 'up');
      await ip(h, 'route', 'add', net, 'via', gw);
      await ip(h, 'link', 'add', 'obr0', 'type', 'bridge');
      await ip(h, 'link', 'set', 'obr0', 'up');
      await ip(h, 'link', 'add', 'vxlan0', 'type', 'vxlan', 'id', '5', 'dstport', '4789', 'remote', peer, 'local', self, 'dev', 'u0', 'df', 'set');
      await ip(h, 'link', 'set', 'vxlan0', 'master', 'obr0');
      await ip(h, 'link', 'set', 'vxlan0', 'up');
      await run.run('ip', ['link', 'add', 'eth0', 'netns', c, 'type', 'veth', 'peer', 'name', 'vc', 'netns', h]);
      await ip(c, 'link', 'set', 'eth0', 'mtu', '1450');
      await ip(c, 'addr', 'add', `${cip}/24`, 'dev', 'eth0');
      await ip(c, 'link', 'set', 'eth0', 'up');
      await ip(h, 'link', 'set', 'vc', 'master', 'obr0');
      await ip(h, 'link', 'set', 'vc', 'up');
    }
    daemon = await DaemonProcess.start(['--netns', h1]);
    await waitFor('capture on u0', async () => {
      const h = await daemon!.get<{ capture: { name: string; active?: boolean; error?: string }[] }>('/healthz');
      return h.capture.some((c) => c.name === 'u0' && !c.error) ? true : undefined;
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    for (const ns of [c1, c2, h1, h2, r]) {
      await run.run('ip', ['netns', 'del', ns]).catch(() => undefined);
    }
  });

  it('should report the router’s fragmentation-needed as an MTU detection for the VTEP behind it', async () => {
    // Small frames pass the narrow link: the overlay works.
    expect(await run.runIn(c1, 'ping', ['-c', '2', '-i', '0.2', '-W', '2', '172.16.5.3'])).toContain('2 received');
    const small = await daemon!.get<Detection[]>(`/api/detections?netns=${h1}&kind=mtu`);
    expect(small).toEqual([]);

    // A full-size inner frame: 1400 + 28 inner + 50 VXLAN = 1478 bytes outer, DF set, > 1400.
    await run.runIn(c1, 'ping', ['-c', '2', '-i', '0.3', '-W', '1', '-s', '1400', '172.16.5.3']).catch(() => '');
    const row = await waitFor('an icmp-frag-needed detection', async () =>
      (await daemon!.get<Detection[]>(`/api/detections?netns=${h1}&kind=mtu`)).find((d) => d.reason === 'icmp-frag-needed'),
    );
    expect(row).toMatchObject({ kind: 'mtu', reason: 'icmp-frag-needed', vni: 5, vtep: '10.21.2.1' });
    expect(row.count).toBeGreaterThanOrEqual(1);
  });
});
