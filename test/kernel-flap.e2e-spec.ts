/**
 * FDB flap detection on real kernels. (a) Real learning: a 3-host static-fdb lab built by the daemon,
 * whose 'mac-flap' fault puts one MAC behind host 1 and host 2 at once; host 3's vxlan FDB sees it
 * move back and forth, which must raise 'fdb.flap' with both VTEPs, and 'fdb.flap.cleared' once the
 * fault is reverted and the quiet period (3 s here) has passed. (b) `bridge fdb replace` moving one
 * entry A/B/A/B in a seed overlay host raises it too.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { SeedOverlay } from '../apps/vxscope/src/lab/seed-overlay';
import { DaemonProcess, waitFor } from './support/daemon';
import { uniquePrefix } from './support/env';
import { LiveClient, type LiveMsg } from './support/live-client';

interface Lab {
  id: string;
  state: string;
  hosts: { index: number; netns: string; underlayIp: string; endpoints: { mac: string }[] }[];
}
interface Flap {
  netns: string;
  vni: number;
  mac: string;
  active: boolean;
  vteps: string[];
  timeline: { at: string; dst: string; change: string }[];
  clearedAt?: string;
}

const QUIET_S = 3;
const labPrefix = `vxf${randomBytes(4).toString('hex')}`;

/** Everything named after this suite's lab prefix, also after a failure: namespaces the lab may have left. */
function sweepLabNamespaces(): void {
  const names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(`${labPrefix}-`));
  for (const ns of names) {
    for (const pid of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

describe('FDB flap detection', () => {
  const run = new CommandRunner();
  const seed = new SeedOverlay(run, { prefix: uniquePrefix() });
  const [h1, h2] = seed.hosts;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vxscope-flap-'));
  let daemon: DaemonProcess | undefined;
  let live: LiveClient | undefined;
  let lab: Lab | undefined;

  const call = async <T>(method: 'POST' | 'DELETE', urlPath: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${daemon!.baseUrl}${urlPath}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new Error(`${method} ${urlPath}: HTTP ${res.status} ${text}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const flapMessage =
    (type: 'fdb.flap' | 'fdb.flap.cleared', netns: string, mac: string) =>
    (m: LiveMsg): boolean =>
      m.type === type && m.data.netns === netns && m.data.mac === mac;

  beforeAll(async () => {
    await seed.create();
    daemon = await DaemonProcess.start(['--netns', h1.netns], {
      env: { VXSCOPE_LAB_PREFIX: labPrefix, VXSCOPE_DATA_DIR: dataDir, VXSCOPE_FLAP_QUIET_S: String(QUIET_S) },
    });
    live = await LiveClient.connect(`ws://127.0.0.1:${daemon.port}/ws`);
  }, 60_000);

  afterAll(async () => {
    live?.close();
    if (lab && daemon) {
      await call('DELETE', `/api/labs/${lab.id}`).catch(() => undefined);
    }
    await daemon?.stop();
    sweepLabNamespaces();
    await seed.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('should raise fdb.flap on the third host of a lab whose MAC flaps between two VTEPs, and clear it after the revert', async () => {
    lab = await call<Lab>('POST', '/api/labs', { mode: 'static-fdb', hosts: 3, vni: 100 });
    expect(lab.state).toBe('ready');
    const [l1, l2, l3] = lab.hosts;
    const mac = l1.endpoints[0].mac;
    const fault = await call<{ id: string }>('POST', `/api/labs/${lab.id}/faults`, { type: 'mac-flap', host: 0 });

    const raised = await waitFor(
      'fdb.flap for the MAC on host 3',
      async () => live!.find(flapMessage('fdb.flap', l3.netns, mac)),
      45_000,
    );
    expect(raised.data).toMatchObject({ netns: l3.netns, vni: 100, mac, active: true, reason: 'moves' });
    expect([...raised.data.vteps].sort()).toEqual([l1.underlayIp, l2.underlayIp].sort());
    expect(
      raised.data.timeline.filter((e: Flap['timeline'][number]) => e.change === 'moved').length,
    ).toBeGreaterThanOrEqual(3);
    const active = await daemon!.get<Flap[]>(`/api/flaps?netns=${l3.netns}&active=true`);
    expect(active).toEqual([expect.objectContaining({ mac, active: true })]);

    await call('DELETE', `/api/labs/${lab.id}/faults/${fault.id}`);
    const reverted = Date.now();
    const cleared = await waitFor(
      'fdb.flap.cleared for the MAC on host 3',
      async () => live!.find(flapMessage('fdb.flap.cleared', l3.netns, mac)),
      30_000,
    );
    expect(cleared.receivedAt - reverted).toBeGreaterThanOrEqual((QUIET_S - 1) * 1000);
    expect(cleared.data).toMatchObject({ netns: l3.netns, vni: 100, mac, active: false });
    expect(await daemon!.get<Flap[]>(`/api/flaps?netns=${l3.netns}&active=true`)).toEqual([]);
    expect(await daemon!.get<Flap[]>(`/api/flaps?netns=${l3.netns}&active=false`)).toEqual([
      expect.objectContaining({ mac, active: false, clearedAt: expect.any(String) }),
    ]);
  }, 120_000);

  it('should raise fdb.flap when bridge fdb replace moves an entry A/B/A/B, and clear it when it stays put', async () => {
    const mac = '02:00:00:00:0f:01';
    const [a, b] = [h2.underlayIp, '10.11.0.3'];
    for (const dst of [a, b, a, b]) {
      await run.run('bridge', [
        '-n',
        h1.netns,
        'fdb',
        'replace',
        mac,
        'dev',
        h1.vxlan,
        'dst',
        dst,
        'self',
        'permanent',
      ]);
    }
    const raised = await waitFor(
      'fdb.flap for the replaced entry',
      async () => live!.find(flapMessage('fdb.flap', h1.netns, mac)),
      10_000,
    );
    expect(raised.data).toMatchObject({
      netns: h1.netns,
      vni: seed.vni,
      mac,
      vteps: [a, b],
      reason: 'moves',
      active: true,
    });
    expect(raised.data.timeline.map((e: Flap['timeline'][number]) => [e.change, e.dst])).toEqual([
      ['added', a],
      ['moved', b],
      ['moved', a],
      ['moved', b],
    ]);
    const cleared = await waitFor(
      'fdb.flap.cleared for the replaced entry',
      async () => live!.find(flapMessage('fdb.flap.cleared', h1.netns, mac)),
      (QUIET_S + 5) * 1000,
    );
    expect(cleared.data).toMatchObject({ mac, vteps: [a, b], active: false });
  }, 60_000);
});
