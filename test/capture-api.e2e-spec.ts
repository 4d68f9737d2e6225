/**
 * The capture API (flows, MACs, recent packets, pcap export, offline upload) against the real daemon
 * watching the seed overlay after a known number of pings, with tshark as the oracle for every file
 * the daemon hands out or reads.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { SeedOverlay } from '../apps/vxscope/src/lab/seed-overlay';
import { DaemonProcess, waitFor } from './support/daemon';
import { uniquePrefix } from './support/env';

interface Flow {
  netns: string;
  vni: number;
  protocol: number;
  src: string;
  dst: string;
  packets: number;
}
interface Mac {
  netns: string;
  vni: number;
  mac: string;
  vtep: string;
}
interface Packet {
  vni: number;
  time: string;
  wirelen: number;
  caplen: number;
  layers: { type: string; summary: string }[];
  hex: string;
}

const ROOT = path.resolve(__dirname, '..');
const PINGS = 7;

describe('capture API, checked with tshark', () => {
  const run = new CommandRunner();
  const seed = new SeedOverlay(run, { prefix: uniquePrefix() });
  const [h1, h2] = seed.hosts;
  const [c1, c2] = seed.containers;
  let daemon: DaemonProcess;
  let dir: string;

  /** tshark's fields for every frame of a file: one array of columns per frame, occurrences joined by ','. */
  const tsharkFields = async (file: string, fields: string[]): Promise<string[][]> => {
    const out = await run.run('tshark', ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', ...fields.flatMap((f) => ['-e', f])]);
    return out
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => l.split('\t'));
  };

  const download = async (query: string): Promise<{ file: string; res: Response }> => {
    const res = await fetch(`${daemon.baseUrl}/api/captures/export?${query}`);
    expect(res.status).toBe(200);
    const file = path.join(dir, `export-${query.replace(/[^a-z0-9]+/gi, '_')}.pcap`);
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    return { file, res };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vxscope-capture-api-'));
    await seed.create();
    daemon = await DaemonProcess.start(['--netns', h1.netns]);
    await waitFor('capture on the underlay of vxlan0', async () => {
      const h = await daemon.get<{ status: string; capture: { name: string; error?: string }[] }>('/healthz');
      return h.status === 'ok' && h.capture.some((c) => c.name === h1.underlayIf && !c.error) ? h : undefined;
    });
    const out = await run.runIn(c1.netns, 'ping', ['-c', String(PINGS), '-i', '0.2', '-W', '2', c2.ip]);
    expect(out).toContain(`${PINGS} packets transmitted, ${PINGS} received`);
    // Collectors flush every 250 ms: wait until the last echo reply has reached the daemon.
    await waitFor('every echo in the recent packets', async () => {
      const p = await daemon.get<Packet[]>(`/api/captures/packets?netns=${h1.netns}&vni=${seed.vni}&ip=${c1.ip}&limit=1000`);
      return p.filter((x) => x.layers.some((l) => l.type === 'icmp')).length >= 2 * PINGS ? true : undefined;
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    await seed.destroy();
    if (dir) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('should export only frames that carry the MAC for ?vni=1&mac=', async () => {
    const { file, res } = await download(`vni=${seed.vni}&mac=${c2.mac}`);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.tcpdump\.pcap/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename=".+\.pcap"/);
    const frames = await tsharkFields(file, ['frame.number', 'vxlan.vni', 'eth.src', 'eth.dst']);
    // Every echo request goes to c2 and every reply comes from it.
    expect(frames.length).toBeGreaterThanOrEqual(2 * PINGS);
    for (const [n, vni, src, dst] of frames) {
      expect({ frame: n, vni, macs: [...src.split(','), ...dst.split(',')] }).toEqual({ frame: n, vni: String(seed.vni), macs: expect.arrayContaining([c2.mac]) });
    }
  });

  it('should export only frames that carry the IP for ?vni=1&ip=', async () => {
    const { file } = await download(`vni=${seed.vni}&ip=${c1.ip}`);
    const frames = await tsharkFields(file, ['frame.number', 'vxlan.vni', 'ip.src', 'ip.dst', 'icmp.type']);
    expect(frames.filter((f) => f[4] === '8')).toHaveLength(PINGS);
    expect(frames.filter((f) => f[4] === '0')).toHaveLength(PINGS);
    for (const [n, vni, src, dst] of frames) {
      expect({ frame: n, vni, ips: [...src.split(','), ...dst.split(',')] }).toEqual({ frame: n, vni: String(seed.vni), ips: expect.arrayContaining([c1.ip]) });
    }
  });

  it('should decode in /api/captures/packets what tshark reads in the exported file for the same frames', async () => {
    const query = `netns=${h1.netns}&vni=${seed.vni}&ip=${c1.ip}&limit=1000`;
    const packets = await daemon.get<Packet[]>(`/api/captures/packets?${query}`);
    const { file } = await download(query);
    const frames = await tsharkFields(file, ['frame.time_epoch', 'frame.len', 'vxlan.vni', 'ip.src', 'ip.dst', 'icmp.type']);
    expect(packets.length).toBeGreaterThanOrEqual(2 * PINGS);
    expect(frames).toHaveLength(packets.length);

    const ours = packets.map((p) => {
      const vxlan = p.layers.findIndex((l) => l.type === 'vxlan');
      const inner = p.layers.slice(vxlan + 1);
      const ip = /^(\S+) > (\S+) /.exec(inner.find((l) => l.type === 'ipv4')?.summary ?? '');
      return {
        timeMs: Date.parse(p.time),
        wirelen: p.wirelen,
        vni: Number(/^VNI (\d+)\b/.exec(p.layers[vxlan]?.summary ?? '')?.[1]),
        innerSrc: ip?.[1],
        innerDst: ip?.[2],
        icmpType: /^icmp type (\d+)/.exec(inner.find((l) => l.type === 'icmp')?.summary ?? '')?.[1],
      };
    });
    const theirs = frames.map(([epoch, len, vni, src, dst, icmp]) => ({
      timeMs: Math.round(Number(epoch) * 1000),
      wirelen: Number(len),
      vni: Number(vni),
      innerSrc: src.split(',').at(-1),
      innerDst: dst.split(',').at(-1),
      icmpType: icmp || undefined,
    }));
    const withoutTime = ({ timeMs: _t, ...rest }: (typeof ours)[number]): Omit<(typeof ours)[number], 'timeMs'> => rest;
    expect(ours.map(withoutTime)).toEqual(theirs.map(withoutTime));
    // The API has millisecond times, the file microseconds.
    expect(ours.filter((o, i) => Math.abs(o.timeMs - theirs[i].timeMs) > 1)).toEqual([]);
    // The API's own vni field agrees with the decoded header.
    expect(packets.every((p) => p.vni === seed.vni)).toBe(true);
  });

  it('should count the ICMP flow c1 → c2 in VNI 1 once per echo request', async () => {
    const icmpFlows = async (): Promise<Flow[]> =>
      (await daemon.get<Flow[]>(`/api/flows?netns=${h1.netns}&vni=${seed.vni}&limit=1000`)).filter((f) => f.protocol === 1 && f.src === c1.ip && f.dst === c2.ip);
    await waitFor('the flow to count every request', async () => ((await icmpFlows()).some((f) => f.packets >= PINGS) ? true : undefined), 5000);
    const icmp = await icmpFlows();
    expect(icmp).toEqual([expect.objectContaining({ netns: h1.netns, vni: seed.vni, packets: PINGS })]);
  });

  it("should place c2's MAC behind host 2's VTEP and c1's behind host 1's in /api/macs", async () => {
    const macs = await waitFor('both container MACs', async () => {
      const m = await daemon.get<Mac[]>(`/api/macs?netns=${h1.netns}&vni=${seed.vni}`);
      return [c1.mac, c2.mac].every((mac) => m.some((x) => x.mac === mac)) ? m : undefined;
    }, 5000);
    expect(macs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ netns: h1.netns, vni: seed.vni, mac: c2.mac, vtep: h2.underlayIp }),
        expect.objectContaining({ netns: h1.netns, vni: seed.vni, mac: c1.mac, vtep: h1.underlayIp }),
      ]),
    );
    const one = await daemon.get<Mac[]>(`/api/macs?mac=${c2.mac.toUpperCase()}`);
    expect(one).toEqual([expect.objectContaining({ mac: c2.mac, vtep: h2.underlayIp })]);
  });

  it('should count an uploaded capture per VNI as tshark does', async () => {
    const capture = path.join(ROOT, 'libs/wire/test/captures/tcpdump-vxlan.pcap');
    const perVni = new Map<string, number>();
    const frames = await tsharkFields(capture, ['vxlan.vni']);
    for (const [vnis] of frames) {
      for (const vni of vnis.split(',').filter(Boolean)) {
        perVni.set(vni, (perVni.get(vni) ?? 0) + 1);
      }
    }
    expect(perVni.get('100')).toBe(10);

    const res = await fetch(`${daemon.baseUrl}/api/captures`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: await readFile(capture),
    });
    const body = (await res.json()) as { packets: number; vxlanPackets: number; vnis: Record<string, { packets: number }>; files: { format: string; packets: number }[] };
    expect(res.status).toBe(200);
    expect(Object.fromEntries(Object.entries(body.vnis).map(([vni, v]) => [vni, v.packets]))).toEqual(Object.fromEntries(perVni));
    expect(body.files).toEqual([expect.objectContaining({ format: 'pcap', packets: frames.length })]);
    expect(body.packets).toBe(frames.length);
  });

  it('should answer 415 naming the body as not a capture', async () => {
    const res = await fetch(`${daemon.baseUrl}/api/captures`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: await readFile(path.join(ROOT, 'README.md')),
    });
    expect(res.status).toBe(415);
    const body = (await res.json()) as { statusCode: number; message: string };
    expect(body.statusCode).toBe(415);
    expect(body.message).toMatch(/not a pcap or pcapng capture/);
  });

  it.each([
    ['vni out of range', 'vni=16777216', /vni/],
    ['malformed mac', 'mac=zz', /mac/],
    ['malformed ip', 'ip=172.16.1', /ip/],
    ['unknown field', 'colour=red', /colour/],
  ])('should reject a %s with 400 on packets and export', async (_what, query, field) => {
    for (const endpoint of ['/api/captures/packets', '/api/captures/export']) {
      const res = await fetch(`${daemon.baseUrl}${endpoint}?${query}`);
      const body = (await res.json()) as { statusCode: number; message: string[] };
      expect({ endpoint, status: res.status }).toEqual({ endpoint, status: 400 });
      expect(body.message.join('; ')).toMatch(field);
    }
  });

  it('should accept the largest VNI', async () => {
    await expect(daemon.get<Packet[]>('/api/captures/packets?vni=16777215')).resolves.toEqual([]);
  });
});
