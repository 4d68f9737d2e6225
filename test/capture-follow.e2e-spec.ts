/**
 * Without --interface the daemon captures on the underlay device of every vxlan device, and follows
 * vxlan devices as they appear and go (including a new dstport in the BPF filter).
 */
import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { SeedOverlay } from '../apps/vxscope/src/lab/seed-overlay';
import { DaemonProcess, waitFor } from './support/daemon';
import { uniquePrefix } from './support/env';

interface CaptureIf {
  netns: string;
  name: string;
  active: boolean;
  filter?: string;
  vxlanPackets: number;
}

describe('capture follows vxlan devices', () => {
  const run = new CommandRunner();
  const seed = new SeedOverlay(run, { prefix: uniquePrefix() });
  const [h1, h2] = seed.hosts;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    await seed.create();
    daemon = await DaemonProcess.start(['--netns', h1.netns]);
  });

  afterAll(async () => {
    await daemon?.stop();
    await seed.destroy();
  });

  const interfaces = (): Promise<CaptureIf[]> => daemon.get<CaptureIf[]>('/api/capture/interfaces');

  it('should open capture on the underlay of a new vxlan device, with its dstport in the filter, and close it when the device goes', async () => {
    await waitFor('capture on u0', async () => ((await interfaces()).some((i) => i.name === 'u0' && i.active) ? true : undefined));

    // A second underlay link and a second overlay (VNI 2, dstport 4800) between the two hosts.
    await run.run('ip', ['link', 'add', 'u1', 'netns', h1.netns, 'type', 'veth', 'peer', 'name', 'u1', 'netns', h2.netns]);
    for (const [h, self, peer] of [
      [h1, '10.12.0.1', '10.12.0.2'],
      [h2, '10.12.0.2', '10.12.0.1'],
    ] as const) {
      await run.run('ip', ['-n', h.netns, 'addr', 'add', `${self}/24`, 'dev', 'u1']);
      await run.run('ip', ['-n', h.netns, 'link', 'set', 'u1', 'up']);
      await run.run('ip', ['-n', h.netns, 'link', 'add', 'vxlan1', 'type', 'vxlan', 'id', '2', 'dstport', '4800', 'remote', peer, 'local', self, 'dev', 'u1']);
      await run.run('ip', ['-n', h.netns, 'addr', 'add', h === h1 ? '192.168.77.1/24' : '192.168.77.2/24', 'dev', 'vxlan1']);
      await run.run('ip', ['-n', h.netns, 'link', 'set', 'vxlan1', 'up']);
    }
    const u1 = await waitFor('capture on u1', async () => (await interfaces()).find((i) => i.name === 'u1' && i.active));
    expect(u1.filter).toContain('port 4800');
    expect((await interfaces()).find((i) => i.name === 'u0')?.filter).toContain('port 4800');

    const out = await run.runIn(h1.netns, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', '192.168.77.2']);
    expect(out).toContain('3 received');
    const vni2 = await waitFor('VNI 2 traffic on dstport 4800', async () => {
      const vnis = await daemon.get<{ vni: number; packets: number; vtepPairs: { dstPort: number }[] }[]>(`/api/vnis?netns=${h1.netns}&vni=2`);
      return vnis[0]?.packets >= 6 ? vnis[0] : undefined;
    });
    expect(vni2.vtepPairs.every((p) => p.dstPort === 4800)).toBe(true);

    await run.run('ip', ['-n', h1.netns, 'link', 'del', 'vxlan1']);
    await waitFor('capture on u1 to close', async () => ((await interfaces()).find((i) => i.name === 'u1')?.active === false ? true : undefined));
    expect((await interfaces()).find((i) => i.name === 'u0')).toMatchObject({ active: true });
  });
});
