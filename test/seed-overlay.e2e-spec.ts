/**
 * The walking skeleton end to end: the real daemon (real pcap, real rtnetlink) watches host 1 of the
 * seed overlay built in namespaces, and what it reports is checked against tcpdump and `bridge fdb`.
 */
import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { SeedOverlay } from '../apps/vxscope/src/lab/seed-overlay';
import { DaemonProcess, waitFor } from './support/daemon';
import { uniquePrefix } from './support/env';
import { LiveClient } from './support/live-client';
import { Tcpdump } from './support/tcpdump';

interface Vni {
  netns: string;
  vni: number;
  packets: number;
  bytes: number;
  vtepPairs: { src: string; dst: string; dstPort: number; packets: number }[];
}
interface Fdb {
  netns: string;
  mac: string;
  device: string;
  dst?: string;
  vni?: number;
  type: string;
  flags: string[];
}
interface Links {
  vxlan: { netns: string; name: string; vni: number; local: string; remote: string; dstport: number; underlay: string; up: boolean; operstate: string }[];
  bridges: { netns: string; name: string; ports: string[] }[];
}

const PINGS = 5;

describe('seed overlay, watched by the daemon', () => {
  const run = new CommandRunner();
  const seed = new SeedOverlay(run, { prefix: uniquePrefix() });
  const [h1, h2] = seed.hosts;
  const [c1, c2] = seed.containers;
  let daemon: DaemonProcess;
  let live: LiveClient;

  beforeAll(async () => {
    await seed.create();
    daemon = await DaemonProcess.start(['--netns', h1.netns]);
    await waitFor('capture on the underlay of vxlan0', async () => {
      const h = await daemon.get<{ status: string; capture: { name: string; error?: string }[] }>('/healthz');
      return h.status === 'ok' && h.capture.some((c) => c.name === h1.underlayIf && !c.error) ? h : undefined;
    });
    live = await LiveClient.connect(`ws://127.0.0.1:${daemon.port}/ws`);
  });

  afterAll(async () => {
    live?.close();
    await daemon?.stop();
    await seed.destroy();
  });

  it('should count exactly the VXLAN frames tcpdump counts on the same interface', async () => {
    const count = async (): Promise<number> => (await daemon.get<Vni[]>(`/api/vnis?netns=${h1.netns}`)).find((x) => x.vni === seed.vni)?.packets ?? 0;
    // New links send a few frames of their own (the bridges' IGMP reports for 224.0.0.106) during
    // their first second or two. Wait until the overlay is quiet, so both counters see one window.
    let last = -1;
    let stableSince = Date.now();
    await waitFor('a quiet overlay', async () => {
      const n = await count();
      if (n !== last) {
        last = n;
        stableSince = Date.now();
      }
      return Date.now() - stableSince >= 2500 ? true : undefined;
    }, 20_000, 250);
    const baseline = await count();

    const tcpdump = await Tcpdump.start(h1.netns, h1.underlayIf, `udp port ${seed.port}`);
    const out = await run.runIn(c1.netns, 'ping', ['-c', String(PINGS), '-i', '0.2', '-W', '2', c2.ip]);
    expect(out).toContain(`${PINGS} packets transmitted, ${PINGS} received`);
    // Let the last frames reach both capture buffers before stopping the oracle.
    await new Promise((r) => setTimeout(r, 500));
    const expected = await tcpdump.stop();
    // PINGS requests and replies, plus the ARP exchange: all of it crossed vxlan0.
    expect(expected).toBeGreaterThanOrEqual(2 * PINGS + 2);

    const vni = await waitFor('the daemon to count every frame', async () => {
      const v = (await daemon.get<Vni[]>(`/api/vnis?netns=${h1.netns}`)).find((x) => x.vni === seed.vni);
      return v && v.packets >= baseline + expected ? v : undefined;
    }, 5000);
    if (vni.packets - baseline !== expected) {
      // Say which frames differ: the daemon keeps the recent ones.
      const seen = await daemon.get<{ time: string; layers: { summary: string }[] }[]>(`/api/captures/packets?netns=${h1.netns}&vni=${seed.vni}&limit=100`);
      throw new Error(`daemon counted ${vni.packets - baseline} in the window, tcpdump ${expected}:\n${seen.map((p) => `${p.time} ${p.layers.map((l) => l.summary).join(' | ')}`).join('\n')}`);
    }
    const pairs = Object.fromEntries(vni.vtepPairs.map((p) => [`${p.src}>${p.dst}:${p.dstPort}`, p.packets]));
    expect(Object.keys(pairs).sort()).toEqual([`${h1.underlayIp}>${h2.underlayIp}:${seed.port}`, `${h2.underlayIp}>${h1.underlayIp}:${seed.port}`].sort());
    expect(pairs[`${h1.underlayIp}>${h2.underlayIp}:${seed.port}`] + pairs[`${h2.underlayIp}>${h1.underlayIp}:${seed.port}`]).toBe(vni.packets);
  });

  it('should show the remote container MAC learned behind host 2 in /api/fdb, as the kernel has it', async () => {
    const entry = await waitFor('the learned FDB entry', async () => {
      const fdb = await daemon.get<Fdb[]>(`/api/fdb?netns=${h1.netns}&mac=${c2.mac}&device=${h1.vxlan}`);
      return fdb.find((e) => e.dst !== undefined);
    });
    expect(entry).toMatchObject({ netns: h1.netns, mac: c2.mac, device: h1.vxlan, dst: h2.underlayIp, vni: seed.vni, type: 'learned' });
    // The kernel agrees.
    const kernel = await run.run('bridge', ['-n', h1.netns, 'fdb', 'show', 'dev', h1.vxlan]);
    expect(kernel).toMatch(new RegExp(`^${c2.mac} dst ${h2.underlayIp.replace(/\./g, '\\.')} self`, 'm'));
  });

  it('should push the learned FDB entry on the WebSocket', async () => {
    const msg = await waitFor('an fdb.changes message', async () =>
      live.find((m) => m.type === 'fdb.changes' && m.data.changes.some((c: { entry: Fdb }) => c.entry.mac === c2.mac && c.entry.dst === h2.underlayIp)),
    );
    const change = msg.data.changes.find((c: { entry: Fdb }) => c.entry.mac === c2.mac && c.entry.dst === h2.underlayIp);
    expect(change).toMatchObject({ netns: h1.netns, change: 'added', entry: { device: h1.vxlan, vni: seed.vni, type: 'learned' } });
  });

  it('should push per-VNI rates once a second', async () => {
    const rates = await waitFor('two vni.rates messages', async () => {
      const r = live.messages.filter((m) => m.type === 'vni.rates');
      return r.length >= 2 ? r : undefined;
    });
    const gap = rates[rates.length - 1].at - rates[rates.length - 2].at;
    expect(gap).toBeGreaterThanOrEqual(700);
    expect(gap).toBeLessThanOrEqual(2000);
    expect(rates[rates.length - 1].data.rates.some((r: { vni: number; netns: string }) => r.vni === seed.vni && r.netns === h1.netns)).toBe(true);
  });

  it('should describe vxlan0 and the bridge in /api/links', async () => {
    const links = await daemon.get<Links>(`/api/links?netns=${h1.netns}`);
    expect(links.vxlan).toEqual([
      expect.objectContaining({ name: h1.vxlan, vni: seed.vni, local: h1.underlayIp, remote: h2.underlayIp, dstport: seed.port, underlay: h1.underlayIf, up: true }),
    ]);
    expect(links.bridges).toEqual([expect.objectContaining({ name: h1.bridge, ports: [h1.vxlan, 'vc1'].sort() })]);
  });

  it('should report vxlan0 going down in /api/links and on the WebSocket within 1 s', async () => {
    const before = live.messages.length;
    const t0 = Date.now();
    await run.run('ip', ['-n', h1.netns, 'link', 'set', h1.vxlan, 'down']);
    const viaApi = await waitFor('vxlan0 down in /api/links', async () => {
      const links = await daemon.get<Links>(`/api/links?netns=${h1.netns}`);
      return links.vxlan.find((l) => l.name === h1.vxlan && !l.up) ? Date.now() : undefined;
    }, 1000, 20);
    const msg = await waitFor('a link.changes message', async () =>
      live.messages.slice(before).find((m) => m.type === 'link.changes' && m.data.changes.some((c: { link: { name: string; up: boolean } }) => c.link.name === h1.vxlan && !c.link.up)),
      1000, 20,
    );
    expect(viaApi - t0).toBeLessThanOrEqual(1000);
    expect(msg.receivedAt - t0).toBeLessThanOrEqual(1000);
  });
});
