/**
 * Every fault type on a real lab: applied through the API, it breaks the probe exactly the way its
 * `effect` says (and no other way); reverted, the probe passes again.
 *
 * The cases share a few identical 3-host static-fdb labs (two endpoints per host) and run at once,
 * one case per lab at a time: each leaves its lab whole (fault reverted, probe passing) for the next.
 * Labs are separate namespaces, so cases do not see each other; the probes, which mostly wait on
 * ping timeouts, overlap. A small unicast lab checks the one fault whose revert depends on the mode
 * (drop-flood-entry: the device's own "via u0" default entry).
 */
import { CommandError, CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import type { LabEndpoint } from '../apps/vxscope/src/lab/lab.types';
import { waitFor } from './support/daemon';
import {
  describeProbe,
  failingPairs,
  LabDaemon,
  pairKey,
  vtepEntries,
  type LabFault,
  type LabRecord,
  type ProbeResult,
} from './support/lab-client';
import { LiveClient } from './support/live-client';

const ZERO_MAC = '00:00:00:00:00:00';
const POOL = 3;
/** A case may wait for a free lab before its own work (a probe with faults takes about 10 s). */
const CASE_TIMEOUT_MS = 150_000;

interface KernelFdb {
  mac: string;
  dst?: string;
  flags: string[];
  state: string;
}

interface VxlanView {
  vni?: number;
  dstport?: number;
  up: boolean;
  master?: string;
  learning?: boolean;
}

/** Hands each case a lab of its own until it is done with it. */
class LabPool {
  private readonly waiting: ((lab: LabRecord) => void)[] = [];

  constructor(private readonly free: LabRecord[]) {}

  async use<T>(fn: (lab: LabRecord) => Promise<T>): Promise<T> {
    const lab = this.free.pop() ?? (await new Promise<LabRecord>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(lab);
    } finally {
      const next = this.waiting.shift();
      if (next) {
        next(lab);
      } else {
        this.free.push(lab);
      }
    }
  }
}

const run = new CommandRunner();
let d: LabDaemon;
let pool: LabPool;
let unicast: LabRecord;

const hostOf = (lab: LabRecord, ip: string): number => lab.hosts.findIndex((h) => h.endpoints.some((e) => e.ip === ip));

/** Pairs with exactly one end on host `h`: those that cross the overlay to or from it. */
function across(lab: LabRecord, h: number): string[] {
  const eps = lab.hosts.flatMap((x) => x.endpoints);
  return eps
    .flatMap((a) => eps.filter((b) => b !== a).map((b) => ({ fromIp: a.ip, toIp: b.ip })))
    .filter((p) => (hostOf(lab, p.fromIp) === h) !== (hostOf(lab, p.toIp) === h))
    .map(pairKey)
    .sort();
}

async function kernelFdb(netns: string): Promise<KernelFdb[]> {
  return JSON.parse(await run.run('bridge', ['-n', netns, '-j', 'fdb', 'show', 'dev', 'vxlan0'])) as KernelFdb[];
}

/** Pings from one endpoint to another outside the probe; resolves with the replies received. */
async function ping(from: LabEndpoint, to: LabEndpoint, extra: string[] = []): Promise<number> {
  const out = await run
    .runIn(from.netns, 'ping', ['-c', '3', '-i', '0.2', '-W', '1', ...extra, to.ip], 15_000)
    .catch((err: unknown) => (err instanceof CommandError ? err.stdout : ''));
  return Number(/(\d+) received/.exec(out)?.[1] ?? 0);
}

/** The probe fails exactly these pairs, and DF pings get through exactly when `mtuPasses` says. */
function expectProbe(r: ProbeResult, failing: string[], mtuPasses: (m: ProbeResult['mtu'][number]) => boolean = (m) => m.fits): void {
  const why = `\n${describeProbe(r)}`;
  expect({ failing: failingPairs(r), why }).toEqual({ failing: [...failing].sort(), why });
  expect({ mtu: r.mtu.map((m) => ({ to: m.to, ipBytes: m.ipBytes, pass: m.pass })), why }).toEqual({
    mtu: r.mtu.map((m) => ({ to: m.to, ipBytes: m.ipBytes, pass: mtuPasses(m) })),
    why,
  });
  expect(r.pass).toBe(false);
}

async function expectHealthy(lab: LabRecord): Promise<ProbeResult> {
  const r = await d.client.probe(lab.id);
  if (!r.pass) {
    throw new Error(`probe of lab ${lab.id} should pass:\n${describeProbe(r)}`);
  }
  return r;
}

async function apply(lab: LabRecord, type: string, h: number): Promise<LabFault & { effect: string }> {
  const types = await d.client.request<{ type: string; effect: string }[]>('GET', '/api/labs/fault-types');
  const f = await d.client.addFault(lab.id, type, h);
  expect(f).toMatchObject({ type, host: h, effect: types.body.find((t) => t.type === type)?.effect });
  expect(f.id).toMatch(/^f\d+$/);
  expect((await d.client.get(lab.id)).faults).toEqual([expect.objectContaining({ id: f.id, type, host: h })]);
  return f;
}

/** Reverts the fault and checks the lab is whole again: no faults recorded, the probe passes. */
async function revert(lab: LabRecord, f: LabFault): Promise<ProbeResult> {
  await d.client.removeFault(lab.id, f.id);
  expect((await d.client.get(lab.id)).faults).toEqual([]);
  // A second revert of the same fault: it is gone.
  expect((await d.client.request('DELETE', `/api/labs/${lab.id}/faults/${f.id}`)).status).toBe(404);
  return expectHealthy(lab);
}

/** Runs a case on a free lab; whatever happens, the lab goes back without faults. */
function onLab(fn: (lab: LabRecord) => Promise<void>): () => Promise<void> {
  return () =>
    pool.use(async (lab) => {
      try {
        await fn(lab);
      } finally {
        for (const f of (await d.client.get(lab.id).catch(() => lab)).faults) {
          await d.client.removeFault(lab.id, f.id).catch(() => undefined);
        }
      }
    });
}

async function vxlanOn(lab: LabRecord, h: number): Promise<VxlanView> {
  const vx = (await d.client.links(lab.hosts[h].netns)).vxlan.find((v) => v.name === 'vxlan0');
  if (!vx) {
    throw new Error(`no vxlan0 in /api/links for ${lab.hosts[h].netns}`);
  }
  return vx;
}

/** Waits (3 s at most) until `check` stops throwing. */
async function eventually(what: string, check: () => Promise<void>): Promise<void> {
  await waitFor(what, async () => {
    await check();
    return true;
  }, 3000);
}

beforeAll(async () => {
  d = await LabDaemon.start();
  // No baseline probe: each case checks an exact failing set, which a broken lab would not match.
  const labs = await Promise.all(
    Array.from({ length: POOL }, (_, i) => d.client.create({ mode: 'static-fdb', hosts: 3, vni: 4201 + 10 * i, endpointsPerHost: 2 })),
  );
  pool = new LabPool(labs);
  unicast = await d.client.create({ mode: 'unicast', hosts: 2, vni: 4291 });
});

afterAll(async () => {
  await d?.teardown();
});

// Faults that cut a host off the overlay: every pair to or from its endpoints fails, the pairs
// between its own two endpoints (one bridge) and between the other hosts pass, and the DF pings
// towards it fail at every size. `during` and `after` check what the daemon shows of the change.
const CUT_OFF: [type: string, during: (l: LabRecord, h: number) => Promise<void>, after: (l: LabRecord, h: number) => Promise<void>][] = [
  [
    'vni-mismatch',
    async (l, h) => expect((await vxlanOn(l, h)).vni).toBe(l.spec.vni + 1),
    async (l, h) => expect((await vxlanOn(l, h)).vni).toBe(l.spec.vni),
  ],
  [
    'port-mismatch',
    async (l, h) => expect((await vxlanOn(l, h)).dstport).toBe(8472),
    async (l, h) => expect((await vxlanOn(l, h)).dstport).toBe(4789),
  ],
  ['link-down', async (l, h) => expect((await vxlanOn(l, h)).up).toBe(false), async (l, h) => expect((await vxlanOn(l, h)).up).toBe(true)],
  [
    'underlay-drop',
    async (l, h) => expect(await run.runIn(l.hosts[h].netns, 'nft', ['list', 'tables'])).toContain('table inet vxscope_fault'),
    async (l, h) => expect(await run.runIn(l.hosts[h].netns, 'nft', ['list', 'tables'])).not.toContain('vxscope_fault'),
  ],
  [
    'detach-from-bridge',
    async (l, h) => expect((await vxlanOn(l, h)).master).toBeUndefined(),
    async (l, h) => expect((await vxlanOn(l, h)).master).toBe('obr0'),
  ],
];

describe('lab faults', () => {
  it.concurrent.each(CUT_OFF)(
    '%s on host 1: every pair across host 1 fails, its own endpoints still reach each other; reverted, all pass',
    (type, during, after) =>
      onLab(async (lab) => {
        const f = await apply(lab, type, 1);
        await eventually('the daemon to show the fault', () => during(lab, 1));
        const r = await d.client.probe(lab.id);
        const toHost1 = new Set(lab.hosts[1].endpoints.map((e) => e.netns));
        expectProbe(r, across(lab, 1), (m) => m.fits && !toHost1.has(m.to));
        await revert(lab, f);
        await eventually('the daemon to show the revert', () => after(lab, 1));
      })(),
    CASE_TIMEOUT_MS,
  );

  it.concurrent(
    "stale-fdb on host 1: host 1's pairs with the next host's first endpoint fail both ways, everything else passes",
    onLab(async (lab) => {
      const h1 = lab.hosts[1];
      const victim = lab.hosts[2].endpoints[0];
      const f = await apply(lab, 'stale-fdb', 1);
      const bogus = String(f.state.dst);
      expect(bogus).toBe(lab.underlaySubnet.replace(/\.0\/24$/, '.250'));
      const entry = await waitFor('the stale entry in /api/fdb', async () =>
        vtepEntries(await d.client.fdb(h1.netns)).find((e) => e.mac === victim.mac && e.dst === bogus),
      );
      expect(entry).toMatchObject({ type: 'static', flags: ['self'] });

      const r = await d.client.probe(lab.id);
      expectProbe(r, h1.endpoints.flatMap((e) => [pairKey({ fromIp: e.ip, toIp: victim.ip }), pairKey({ fromIp: victim.ip, toIp: e.ip })]));
      // Not even ARP from host 1: the victim's replies come from a VTEP that host 1's static entry
      // does not name, and the kernel drops them rather than move the entry.
      for (const p of r.pairs.filter((x) => hostOf(lab, x.fromIp) === 1 && x.toIp === victim.ip)) {
        expect({ pair: pairKey(p), arp: p.arp }).toEqual({ pair: pairKey(p), arp: 'failed' });
      }

      await revert(lab, f);
      expect(vtepEntries(await d.client.fdb(h1.netns)).filter((e) => e.dst === bogus)).toEqual([]);
    }),
    CASE_TIMEOUT_MS,
  );

  it.concurrent(
    'mtu on host 1: small DF pings pass, full-size ones to and from host 1 are dropped; reverted, all pass',
    onLab(async (lab) => {
      const [h0, h1, h2] = lab.hosts;
      const f = await apply(lab, 'mtu', 1);
      const r = await d.client.probe(lab.id);
      const toHost1 = new Set(h1.endpoints.map((e) => e.netns));
      // The switch port of host 1 takes outer packets up to 1400 bytes: inner 1350 fits, 1450 does not.
      expectProbe(r, [], (m) => m.fits && (!toHost1.has(m.to) || m.ipBytes + 50 <= 1400));
      expect(r.mtu.filter((m) => toHost1.has(m.to) && m.fits && !m.pass).map((m) => m.ipBytes)).toEqual([1450]);
      // From host 1 too: full size out of host 1 is dropped, small passes; host 0 to host 2 is untouched.
      const full = ['-M', 'do', '-s', String(lab.spec.mtu - 28)];
      const [h1Full, h1Small, h0Full] = await Promise.all([
        ping(h1.endpoints[0], h2.endpoints[0], full),
        ping(h1.endpoints[1], h2.endpoints[1], ['-M', 'do', '-s', '1000']),
        ping(h0.endpoints[0], h2.endpoints[0], full),
      ]);
      expect({ h1Full, h1Small, h0Full }).toEqual({ h1Full: 0, h1Small: 3, h0Full: 3 });
      await revert(lab, f);
    }),
    CASE_TIMEOUT_MS,
  );

  it.concurrent(
    'drop-flood-entry on host 0: conversations host 0 starts with peers it has not learned fail; peers that talk first teach it',
    onLab(async (lab) => {
      const h0 = lab.hosts[0];
      const f = await apply(lab, 'drop-flood-entry', 0);
      await waitFor('no flood entries on host 0 in /api/fdb', async () => ((await d.client.fdb(h0.netns)).some((e) => e.mac === ZERO_MAC) ? undefined : true));
      // What earlier probes taught host 0 still carries unicast frames (the vxlan device sends by
      // its learned entries, by the flood entries only towards unknown and broadcast MACs): forget
      // it, so every peer is one host 0 has never seen.
      await run.run('bridge', ['-n', h0.netns, 'fdb', 'flush', 'dev', 'vxlan0', 'dynamic']);
      for (const e of lab.hosts.flatMap((h) => h.endpoints)) {
        await run.run('ip', ['-n', e.netns, 'neigh', 'flush', 'all']);
      }
      const from0 = h0.endpoints.flatMap((a) => lab.hosts.slice(1).flatMap((h) => h.endpoints.map((b) => [a, b] as const)));
      // Nothing else talks in this lab now: every conversation host 0 starts (ARP broadcast first)
      // dies in its vxlan device.
      expect(await Promise.all(from0.map(([a, b]) => ping(a, b)))).toEqual(from0.map(() => 0));

      // In the probe matrix every peer also starts a conversation with host 0 (its flood entries
      // work), and host 0 learns it from that. So only host 0's pairs that run before their reverse
      // can fail, and no other pair may; the probe runs host 0's pairs first, so some do.
      const r = await d.client.probe(lab.id);
      const failing = failingPairs(r);
      const mayFail = new Set(from0.map(([a, b]) => pairKey({ fromIp: a.ip, toIp: b.ip })));
      const why = describeProbe(r);
      expect({ unexpected: failing.filter((k) => !mayFail.has(k)), why }).toEqual({ unexpected: [], why });
      expect(failing.length).toBeGreaterThan(0);
      expect(r.mtu.every((m) => m.pass === m.fits)).toBe(true);

      await revert(lab, f);
      const zeros = (await kernelFdb(h0.netns)).filter((e) => e.mac === ZERO_MAC && e.flags.includes('self'));
      expect(zeros.map((e) => e.dst).sort()).toEqual([lab.hosts[1].underlayIp, lab.hosts[2].underlayIp].sort());
    }),
    CASE_TIMEOUT_MS,
  );

  it.concurrent(
    "mac-flap on host 0: a third host's FDB entry for the shared MAC flips between both VTEPs; pairs of other endpoints pass",
    onLab(async (lab) => {
      const [h0, h1, third] = lab.hosts;
      const a = h0.endpoints[0];
      const b = h1.endpoints[0];
      const macOf = async (e: LabEndpoint): Promise<string> =>
        (JSON.parse(await run.run('ip', ['-n', e.netns, '-j', 'link', 'show', 'dev', e.ifname])) as { address: string }[])[0].address;
      const live = await LiveClient.connect(`ws://127.0.0.1:${d.daemon.port}/ws`);
      try {
        const f = await apply(lab, 'mac-flap', 0);
        expect(await macOf(b)).toBe(a.mac);
        const viaApi = new Set<string>();
        const viaKernel = new Set<string>();
        const changes = (): { netns: string; change: string; entry: { mac: string; dst?: string; device: string }; previous?: { dst?: string } }[] =>
          live.messages
            .filter((m) => m.type === 'fdb.changes')
            .flatMap((m) => m.data.changes)
            .filter((c: any) => c.netns === third.netns && c.entry.mac === a.mac && c.entry.device === 'vxlan0' && c.entry.dst !== undefined);
        const viaWs = (): Set<string> => new Set(changes().map((c) => c.entry.dst!));
        const both = [h0.underlayIp, h1.underlayIp];
        const seenBoth = (s: Set<string>): boolean => both.every((x) => s.has(x));
        await waitFor('the shared MAC behind both VTEPs on the third host', async () => {
          vtepEntries(await d.client.fdb(third.netns)).filter((e) => e.mac === a.mac).forEach((e) => viaApi.add(e.dst!));
          (await kernelFdb(third.netns)).filter((e) => e.mac === a.mac && e.dst).forEach((e) => viaKernel.add(e.dst!));
          return seenBoth(viaApi) && seenBoth(viaKernel) && seenBoth(viaWs()) ? true : undefined;
        }, 15_000, 100).catch((err: Error) => {
          throw new Error(`${err.message}; API saw ${[...viaApi].join(',')}, bridge fdb ${[...viaKernel].join(',')}, /ws ${[...viaWs()].join(',')}`);
        });
        // The flips arrive on the live feed as `updated`, with the previous VTEP.
        expect(changes().some((c) => c.change === 'updated' && c.previous?.dst !== undefined && c.previous.dst !== c.entry.dst)).toBe(true);

        // Two endpoints with one MAC: their own pairs come and go with the flaps, so the probe says
        // nothing certain about them; every pair between the other four endpoints passes.
        const r = await d.client.probe(lab.id);
        const clean = r.pairs.filter((p) => ![a.ip, b.ip].includes(p.fromIp) && ![a.ip, b.ip].includes(p.toIp));
        expect(clean).toHaveLength(12);
        const why = describeProbe(r);
        expect({ failing: clean.filter((p) => !p.pass).map(pairKey), why }).toEqual({ failing: [], why });

        await revert(lab, f);
        expect(await macOf(b)).toBe(b.mac);
        // The background pings went with the fault.
        for (const e of [a, b]) {
          await waitFor(`no process left in ${e.netns}`, async () => ((await run.run('ip', ['netns', 'pids', e.netns])) === '' ? true : undefined), 3000);
        }
      } finally {
        live.close();
      }
    }),
    CASE_TIMEOUT_MS,
  );

  it.concurrent(
    'learning-off on host 1: traffic still flows (flooded), but host 1 learns no remote MAC; reverted, it learns again',
    onLab(async (lab) => {
      const h1 = lab.hosts[1];
      const f = await apply(lab, 'learning-off', 1);
      await eventually('learning off in /api/links', async () => expect((await vxlanOn(lab, 1)).learning).toBe(false));
      await run.run('bridge', ['-n', h1.netns, 'fdb', 'flush', 'dev', 'vxlan0', 'dynamic']);
      await waitFor('no learned entries on host 1 in /api/fdb', async () => (vtepEntries(await d.client.fdb(h1.netns)).length === 0 ? true : undefined));

      const r = await d.client.probe(lab.id);
      if (!r.pass) {
        throw new Error(`with learning off the probe should still pass:\n${describeProbe(r)}`);
      }
      // Give the daemon time to report anything the kernel learned, then check both views.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(vtepEntries(await d.client.fdb(h1.netns))).toEqual([]);
      expect((await kernelFdb(h1.netns)).filter((e) => e.dst && e.mac !== ZERO_MAC)).toEqual([]);
      // The other hosts did learn host 1's endpoints: the check above is not empty by accident.
      const onHost0 = vtepEntries(await d.client.fdb(lab.hosts[0].netns));
      for (const e of h1.endpoints) {
        expect(onHost0.find((x) => x.mac === e.mac)).toMatchObject({ dst: h1.underlayIp, type: 'learned' });
      }

      await revert(lab, f);
      expect((await vxlanOn(lab, 1)).learning).toBe(true);
      const remote = [0, 2].flatMap((i) => lab.hosts[i].endpoints.map((e) => ({ mac: e.mac, dst: lab.hosts[i].underlayIp })));
      await waitFor('host 1 to learn the remote endpoints again', async () => {
        const learned = vtepEntries(await d.client.fdb(h1.netns));
        return remote.every((e) => learned.some((l) => l.mac === e.mac && l.dst === e.dst && l.type === 'learned')) ? true : undefined;
      }, 5000);
    }),
    CASE_TIMEOUT_MS,
  );

  it.concurrent(
    "drop-flood-entry in a unicast lab removes the device's own remote (via u0); the revert brings it back exactly once",
    async () => {
      const [h0, peer] = unicast.hosts;
      const defaults = async (): Promise<KernelFdb[]> => (await kernelFdb(h0.netns)).filter((e) => e.mac === ZERO_MAC);
      const before = await defaults();
      expect(before).toEqual([expect.objectContaining({ dst: peer.underlayIp, state: 'permanent' })]);

      const f = await apply(unicast, 'drop-flood-entry', 0);
      expect(await defaults()).toEqual([]);
      await run.run('bridge', ['-n', h0.netns, 'fdb', 'flush', 'dev', 'vxlan0', 'dynamic']);
      await run.run('ip', ['-n', h0.endpoints[0].netns, 'neigh', 'flush', 'all']);
      expect(await ping(h0.endpoints[0], peer.endpoints[0])).toBe(0);

      await revert(unicast, f);
      expect(await defaults()).toEqual(before);
      await eventually('the re-created vxlan0 in /api/links', async () =>
        expect((await d.client.links(h0.netns)).vxlan).toEqual([
          expect.objectContaining({ name: 'vxlan0', vni: 4291, remote: peer.underlayIp, up: true, master: 'obr0' }),
        ]),
      );
    },
    CASE_TIMEOUT_MS,
  );
});
