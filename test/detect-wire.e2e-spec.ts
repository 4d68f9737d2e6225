/**
 * Wire checks against the kernel (issue #5 item 5) on labs the real daemon builds: each detector
 * fires when its fault is in place, healthy labs in all three modes fire none, detections reach the
 * WebSocket rate-limited, and the kernel's own drop reasons show in /api/drops.
 *
 * Traffic stays inside the lab namespaces (pings between endpoints, a few crafted UDP datagrams
 * between two VTEP hosts). Three labs are built once and broken one fault at a time.
 */
import { existsSync } from 'node:fs';

import { CommandError, CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { waitFor } from './support/daemon';
import { LabDaemon, type LabRecord, type ProbeResult } from './support/lab-client';
import { LiveClient } from './support/live-client';

interface DetectionRow {
  netns: string;
  kind: string;
  reason: string;
  vni?: number;
  vtep?: string;
  mac?: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  detail: string;
  examples: { at: string; detail: string }[];
}

type Drops = { enabled: true; reasons: Record<string, number>; since: string; lost: number; instance: string } | { enabled: false; why: string };

/** Longer than the wire checks' grace period after a kernel change (WIRE_GRACE_MS). */
const SETTLE_MS = 1300;

const run = new CommandRunner();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Pings and returns how many replies came (ping exits non-zero when some are missing). */
async function ping(netns: string, ip: string, extra: string[] = []): Promise<number> {
  const out = await run
    .runIn(netns, 'ping', ['-c', '3', '-i', '0.2', '-W', '1', ...extra, ip], 15_000)
    .catch((err: unknown) => (err instanceof CommandError ? err.stdout : ''));
  return Number(/(\d+) (?:packets )?received/.exec(out)?.[1] ?? 0);
}

interface Datagram {
  readonly flags: number;
  /** The reserved byte after the VNI. */
  readonly reserved: number;
  readonly vni: number;
  /** Inner destination MAC (the inner source is 02:5c:00:00:00:01). */
  readonly innerDst: string;
}

/**
 * VXLAN datagrams made by hand, sent from a plain UDP socket in a VTEP host's namespace (so from its
 * VTEP address): what a faulty VTEP implementation would put on the wire.
 */
async function sendVxlan(fromNetns: string, toIp: string, port: number, datagrams: readonly Datagram[]): Promise<void> {
  const script = `
    const s = require('dgram').createSocket('udp4');
    const list = JSON.parse(process.argv[1]);
    const next = () => {
      const d = list.shift();
      if (!d) return s.close();
      const inner = Buffer.alloc(60);
      Buffer.from(d.innerDst.replace(/:/g, '') + '025c00000001', 'hex').copy(inner, 0);
      inner.writeUInt16BE(0x0800, 12);
      const hdr = Buffer.from([d.flags, 0, 0, 0, (d.vni >> 16) & 255, (d.vni >> 8) & 255, d.vni & 255, d.reserved]);
      s.send(Buffer.concat([hdr, inner]), ${port}, '${toIp}', next);
    };
    next();`;
  await run.runIn(fromNetns, process.execPath, ['-e', script, JSON.stringify(datagrams)]);
}

describe('wire checks against the kernel', () => {
  let lab: LabDaemon;
  let live: LiveClient;
  let unicast: LabRecord;
  let multicast: LabRecord;
  let staticFdb: LabRecord;

  const detections = (q: Record<string, string | number>): Promise<DetectionRow[]> =>
    lab.daemon.get<DetectionRow[]>(`/api/detections?${new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString()}`);
  const drops = (): Promise<Drops> => lab.daemon.get<Drops>('/api/drops');
  const dropCount = async (reason: string): Promise<number> => {
    const d = await drops();
    return d.enabled ? (d.reasons[reason] ?? 0) : 0;
  };
  const detection = (what: string, q: Record<string, string | number>, match: (r: DetectionRow) => boolean): Promise<DetectionRow> =>
    waitFor(what, async () => (await detections(q)).find(match), 10_000, 200).catch(async (err: Error) => {
      throw new Error(`${err.message}\nall detections: ${JSON.stringify(await detections({}), null, 1)}`);
    });
  const dropsRise = (reason: string, before: number): Promise<number> =>
    waitFor(`kernel drop reason ${reason} above ${before}`, async () => {
      const n = await dropCount(reason);
      return n > before ? n : undefined;
    }, 10_000, 200);
  /** A fault applied, and the wire checks' grace period over. */
  const fault = async (l: LabRecord, type: string, host: number): Promise<string> => {
    const f = await lab.client.addFault(l.id, type, host);
    await sleep(SETTLE_MS);
    return f.id;
  };

  beforeAll(async () => {
    lab = await LabDaemon.start();
    live = await LiveClient.connect(`ws://127.0.0.1:${lab.daemon.port}/ws`);
    [unicast, multicast, staticFdb] = await Promise.all([
      lab.client.create({ mode: 'unicast', hosts: 2, vni: 100 }),
      lab.client.create({ mode: 'multicast', hosts: 3, vni: 200 }),
      lab.client.create({ mode: 'static-fdb', hosts: 3, vni: 300 }),
    ]);
  }, 90_000);

  afterAll(async () => {
    live?.close();
    await lab?.teardown();
  }, 60_000);

  it('should count kernel drop reasons in a trace instance of its own', async () => {
    const d = await drops();
    if (!d.enabled) {
      throw new Error(`drops are off: ${d.why}`);
    }
    expect(d.instance).toMatch(/^\/sys\/kernel\/tracing\/instances\/vxscope-\d+$/);
    expect(existsSync(d.instance)).toBe(true);
    expect(Date.parse(d.since)).toBeLessThanOrEqual(Date.now());
  });

  it('should fire nothing on healthy labs in all three modes after a probe', async () => {
    const probes: ProbeResult[] = await Promise.all([unicast, multicast, staticFdb].map((l) => lab.client.probe(l.id)));
    for (const p of probes) {
      expect(p.pairs.every((x) => x.pass)).toBe(true);
    }
    // The checks did see the probe's frames (two flushes later), and found nothing wrong with them.
    await sleep(600);
    for (const l of [unicast, multicast, staticFdb]) {
      for (const h of l.hosts) {
        const vnis = await lab.daemon.get<{ packets: number }[]>(`/api/vnis?netns=${h.netns}&vni=${l.spec.vni}`);
        expect(vnis[0]?.packets).toBeGreaterThan(0);
        expect(await detections({ netns: h.netns })).toEqual([]);
      }
    }
  }, 60_000);

  it('should report unknown VNI on the receiving host when VNIs differ, with VXLAN_VNI_NOT_FOUND from the kernel', async () => {
    const [h1, h2] = unicast.hosts;
    const before = await dropCount('VXLAN_VNI_NOT_FOUND');
    const f = await fault(unicast, 'vni-mismatch', 0);
    expect(await ping(h1.endpoints[0].netns, h2.endpoints[0].ip)).toBe(0);
    await ping(h1.endpoints[0].netns, h2.endpoints[0].ip);
    const row = await detection('unknown-vni on host 2', { netns: h2.netns, kind: 'unknown-vni' }, (r) => r.vni === unicast.spec.vni + 1);
    expect(row).toMatchObject({ reason: 'no-device', vtep: h1.underlayIp });
    expect(row.count).toBeGreaterThanOrEqual(3);
    expect(row.detail).toContain('VXLAN_VNI_NOT_FOUND');
    await dropsRise('VXLAN_VNI_NOT_FOUND', before);
    // On the WebSocket: the first occurrence at once, and no message per packet.
    const msgs = await waitFor('a detections message', async () => {
      const m = live.messages.filter((x) => x.type === 'detections').flatMap((x) => x.data.detections as { netns: string; kind: string; vni?: number; count: number }[]);
      const mine = m.filter((d) => d.netns === h2.netns && d.kind === 'unknown-vni' && d.vni === unicast.spec.vni + 1);
      return mine.length > 0 ? mine : undefined;
    });
    expect(msgs.length).toBeLessThanOrEqual(2);
    expect(msgs.reduce((n, d) => n + d.count, 0)).toBeLessThanOrEqual((await detections({ netns: h2.netns, kind: 'unknown-vni' }))[0].count);
    await lab.client.removeFault(unicast.id, f);
  }, 60_000);

  it('should report VXLAN arriving on a port no local device listens on', async () => {
    const [h1, h2] = unicast.hosts;
    const f = await fault(unicast, 'port-mismatch', 0);
    await ping(h1.endpoints[0].netns, h2.endpoints[0].ip);
    await ping(h2.endpoints[0].netns, h1.endpoints[0].ip);
    const [at2, at1] = await Promise.all([
      detection('port-mismatch on host 2', { netns: h2.netns, kind: 'port-mismatch' }, () => true),
      detection('port-mismatch on host 1', { netns: h1.netns, kind: 'port-mismatch' }, () => true),
    ]);
    expect(at2).toMatchObject({ vtep: h1.underlayIp, vni: unicast.spec.vni });
    expect(at2.detail).toContain('to UDP port 8472: local vxlan devices listen on 4789');
    expect(at1.detail).toContain('to UDP port 4789: local vxlan devices listen on 8472');
    await lab.client.removeFault(unicast.id, f);
  }, 60_000);

  it('should report inner packets above the receiving device MTU, and outer fragmentation', async () => {
    const [h1, h2] = unicast.hosts;
    const fits = unicast.spec.mtu - 28; // ICMP payload of an IP packet of exactly the overlay MTU
    // The receiver's vxlan MTU below the sender's: full-size DF pings reach it too large.
    await run.run('ip', ['-n', h2.netns, 'link', 'set', h2.vxlan, 'mtu', String(unicast.spec.mtu - 50)]);
    await sleep(SETTLE_MS);
    await ping(h1.endpoints[0].netns, h2.endpoints[0].ip, ['-M', 'do', '-s', String(fits)]);
    const big = await detection('inner-too-large on host 2', { netns: h2.netns, kind: 'mtu' }, (r) => r.reason === 'inner-too-large');
    expect(big).toMatchObject({ vni: unicast.spec.vni, vtep: h1.underlayIp });
    expect(big.detail).toContain(`inner packets of ${unicast.spec.mtu} bytes`);
    await run.run('ip', ['-n', h2.netns, 'link', 'set', h2.vxlan, 'mtu', String(unicast.spec.mtu)]);
    // The sender's underlay MTU below overlay MTU + 50: pings without DF leave in outer fragments.
    await run.run('ip', ['-n', h1.netns, 'link', 'set', h1.underlayIf, 'mtu', String(unicast.spec.mtu)]);
    await sleep(SETTLE_MS);
    try {
      await ping(h1.endpoints[0].netns, h2.endpoints[0].ip, ['-M', 'dont', '-s', String(fits)]);
      const frag = await detection('outer-fragment on host 1', { netns: h1.netns, kind: 'mtu' }, (r) => r.reason === 'outer-fragment');
      expect(frag).toMatchObject({ vni: unicast.spec.vni, vtep: h2.underlayIp });
      expect(frag.count).toBeGreaterThanOrEqual(6); // 3 pings, 2 fragments each
    } finally {
      await run.run('ip', ['-n', h1.netns, 'link', 'set', h1.underlayIf, 'mtu', '1500']);
    }
  }, 60_000);

  it('should report a MAC arriving behind another VTEP than its stale static entry, with VXLAN_ENTRY_EXISTS from the kernel', async () => {
    const [h1, h2] = staticFdb.hosts;
    const victim = h2.endpoints[0];
    const before = await dropCount('VXLAN_ENTRY_EXISTS');
    const f = await fault(staticFdb, 'stale-fdb', 0);
    await ping(victim.netns, h1.endpoints[0].ip);
    const row = await detection('stale entry on host 1', { netns: h1.netns, kind: 'misdirected' }, (r) => r.mac === victim.mac);
    expect(row).toMatchObject({ reason: 'stale-entry', vni: staticFdb.spec.vni, vtep: h2.underlayIp });
    expect(row.detail).toContain(staticFdb.underlaySubnet.replace(/\.0\/24$/, '.250'));
    await dropsRise('VXLAN_ENTRY_EXISTS', before);
    await lab.client.removeFault(staticFdb.id, f);
  }, 60_000);

  it('should report unknown unicast flooded to the default destinations when the host cannot learn', async () => {
    const [h1, h2, h3] = staticFdb.hosts;
    const target = h2.endpoints[0];
    const f = await lab.client.addFault(staticFdb.id, 'learning-off', 0);
    // Forget what host 1 learned about the target; with learning off it cannot learn it again.
    await run.run('bridge', ['-n', h1.netns, 'fdb', 'del', target.mac, 'dev', h1.vxlan, 'self']).catch(() => undefined);
    await sleep(SETTLE_MS);
    expect(await ping(h1.endpoints[0].netns, target.ip)).toBe(3); // flooded, so it still arrives
    const rows = await waitFor('flooding to both peers', async () => {
      const r = (await detections({ netns: h1.netns, kind: 'unknown-unicast' })).filter((x) => x.mac === target.mac);
      return r.length === 2 ? r : undefined;
    });
    expect(rows.map((r) => r.vtep).sort()).toEqual([h2.underlayIp, h3.underlayIp].sort());
    await lab.client.removeFault(staticFdb.id, f.id);
  }, 60_000);

  it('should show a host without flood entries as NO_TX_TARGET drops (nothing reaches the wire)', async () => {
    const [h1, , h3] = staticFdb.hosts;
    const before = await dropCount('NO_TX_TARGET');
    const f = await fault(staticFdb, 'drop-flood-entry', 0);
    await run.run('ip', ['-n', h1.endpoints[0].netns, 'neigh', 'flush', 'all']);
    expect(await ping(h1.endpoints[0].netns, h3.endpoints[0].ip)).toBe(0);
    await dropsRise('NO_TX_TARGET', before);
    await lab.client.removeFault(staticFdb.id, f);
  }, 60_000);

  it('should report header violations on both VTEPs, with VXLAN_INVALID_HDR from the kernel', async () => {
    const [h1, h2] = multicast.hosts;
    const before = await dropCount('VXLAN_INVALID_HDR');
    const innerDst = h2.endpoints[0].mac;
    await sendVxlan(h1.netns, h2.underlayIp, multicast.spec.port, [
      { flags: 0x00, reserved: 0, vni: multicast.spec.vni, innerDst },
      { flags: 0x08, reserved: 1, vni: multicast.spec.vni, innerDst },
    ]);
    for (const h of [h1, h2]) {
      const rows = await waitFor(`both header violations on ${h.netns}`, async () => {
        const r = await detections({ netns: h.netns, kind: 'header' });
        return r.length === 2 ? r : undefined;
      });
      expect(rows.map((r) => r.reason).sort()).toEqual(['no-i-flag', 'reserved-bits']);
      expect(rows.every((r) => r.vtep === h1.underlayIp && r.count === 1)).toBe(true);
    }
    await dropsRise('VXLAN_INVALID_HDR', before);
  }, 60_000);

  it('should report an outbound frame sent to another VTEP than the FDB entry of its inner destination', async () => {
    const [h1, h2, h3] = multicast.hosts;
    const target = h2.endpoints[0];
    // Host 1 learned the target behind host 2 during the probe; this frame goes to host 3 instead.
    await sendVxlan(h1.netns, h3.underlayIp, multicast.spec.port, [{ flags: 0x08, reserved: 0, vni: multicast.spec.vni, innerDst: target.mac }]);
    const row = await detection('misdirected on host 1', { netns: h1.netns, kind: 'misdirected' }, (r) => r.mac === target.mac);
    expect(row).toMatchObject({ reason: 'wrong-vtep', vni: multicast.spec.vni, vtep: h3.underlayIp, count: 1 });
    expect(row.detail).toContain(`its FDB entry sends it to ${h2.underlayIp}`);
  }, 30_000);

  it('should remove its trace instance when the daemon stops', async () => {
    const d = await drops();
    expect(d.enabled).toBe(true);
    await lab.daemon.stop();
    expect(d.enabled && existsSync(d.instance)).toBe(false);
  }, 30_000);
});
