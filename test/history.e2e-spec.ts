/**
 * Kernel-change history end to end: the real daemon watches host 1 of the seed overlay and records
 * what the kernel does to its FDB and links in `<data dir>/history.sqlite`. The history must show the
 * learned entry of the remote container, a `bridge fdb replace` as a move to another VTEP, and all of
 * it again after the daemon restarts on the same data directory.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { SeedOverlay } from '../apps/vxscope/src/lab/seed-overlay';
import { DaemonProcess, waitFor } from './support/daemon';
import { uniquePrefix } from './support/env';

interface FdbHistoryItem {
  id: number;
  at: string;
  netns: string;
  change: 'added' | 'updated' | 'removed';
  device: string;
  vni?: number;
  vtep?: string;
  previousVtep?: string;
  moved: boolean;
  entry: { mac: string; dst?: string; type: string; flags: string[] };
}
interface EventsPage {
  items: {
    id: number;
    kind: string;
    netns: string;
    change: string;
    mac?: string;
    vni?: number;
    vtep?: string;
    device?: string;
    data: any;
  }[];
  nextCursor?: number;
}

const MOVED_TO = '10.11.0.99';

describe('history of kernel changes, kept across restarts', () => {
  const run = new CommandRunner();
  const seed = new SeedOverlay(run, { prefix: uniquePrefix() });
  const [h1, h2] = seed.hosts;
  const [c1, c2] = seed.containers;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vxscope-history-'));
  const args = ['--netns', h1.netns, '--data-dir', dataDir];
  let daemon: DaemonProcess | undefined;

  const started = async (): Promise<DaemonProcess> => {
    const d = await DaemonProcess.start(args);
    // The first dump (the default entry to host 2 is in it) has arrived: what follows is a change.
    await waitFor('the first FDB dump of host 1', async () =>
      (await d.get<unknown[]>(`/api/fdb?netns=${h1.netns}`)).length > 0 ? true : undefined,
    );
    return d;
  };
  const timeline = (d: DaemonProcess): Promise<FdbHistoryItem[]> =>
    d.get<FdbHistoryItem[]>(`/api/fdb/${c2.mac}/history?netns=${h1.netns}`);
  /** The vxlan driver's own entries (with a VTEP); the bridge learns the MAC on vxlan0 too, without one. */
  const vxlanRows = (items: FdbHistoryItem[]): FdbHistoryItem[] => items.filter((i) => i.entry.flags.includes('self'));

  beforeAll(async () => {
    await seed.create();
    daemon = await started();
  });

  afterAll(async () => {
    await daemon?.stop();
    await seed.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should record the remote container MAC learned behind host 2', async () => {
    const out = await run.runIn(c1.netns, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', c2.ip]);
    expect(out).toContain('3 packets transmitted, 3 received');
    const added = await waitFor('the learned entry in the history', async () =>
      vxlanRows(await timeline(daemon!)).find((i) => i.change === 'added' && i.vtep !== undefined),
    );
    expect(added).toMatchObject({
      netns: h1.netns,
      device: h1.vxlan,
      vni: seed.vni,
      vtep: h2.underlayIp,
      moved: false,
      entry: { mac: c2.mac, type: 'learned' },
    });
    expect(Date.now() - Date.parse(added.at)).toBeLessThan(60_000);
  });

  it('should record `bridge fdb replace` to another VTEP as an update that moved', async () => {
    await run.run('bridge', [
      '-n',
      h1.netns,
      'fdb',
      'replace',
      c2.mac,
      'dev',
      h1.vxlan,
      'dst',
      MOVED_TO,
      'self',
      'permanent',
    ]);
    const updated = await waitFor('the update in the history', async () =>
      vxlanRows(await timeline(daemon!)).find((i) => i.change === 'updated' && i.vtep === MOVED_TO),
    );
    expect(updated).toMatchObject({
      previousVtep: h2.underlayIp,
      moved: true,
      device: h1.vxlan,
      entry: { type: 'static', dst: MOVED_TO },
    });

    const items = vxlanRows(await timeline(daemon!));
    expect(items.map((i) => [i.change, i.vtep])).toEqual([
      ['updated', MOVED_TO],
      ['added', h2.underlayIp],
    ]);
    // The same row through the generic query, filtered by the VTEP it moved to.
    const page = await daemon!.get<EventsPage>(
      `/api/events?kind=fdb&mac=${c2.mac.toUpperCase()}&vtep=${MOVED_TO}&since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`,
    );
    expect(page.items).toEqual([
      expect.objectContaining({ id: updated.id, change: 'updated', netns: h1.netns, vni: seed.vni, device: h1.vxlan }),
    ]);
    expect(page.items[0].data.previous).toMatchObject({ dst: h2.underlayIp });
  });

  it('should record a link change of vxlan0 with its VNI and remote', async () => {
    await run.run('ip', ['-n', h1.netns, 'link', 'set', h1.vxlan, 'mtu', '1400']);
    const page = await waitFor('the link change in the history', async () => {
      const p = await daemon!.get<EventsPage>(`/api/events?kind=link&netns=${h1.netns}`);
      return p.items.some((e) => e.device === h1.vxlan && e.data.link.mtu === 1400) ? p : undefined;
    });
    expect(page.items.find((e) => e.device === h1.vxlan)).toMatchObject({
      change: 'updated',
      vni: seed.vni,
      vtep: h2.underlayIp,
    });
  });

  it('should refuse a bad query with 400 naming the field', async () => {
    const res = await fetch(`${daemon!.baseUrl}/api/events?since=yesterday&vni=x`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string[] };
    expect(body.message).toEqual(
      expect.arrayContaining(['since must be an ISO 8601 time or epoch milliseconds', expect.stringMatching(/^vni /)]),
    );
    expect((await fetch(`${daemon!.baseUrl}/api/fdb/not-a-mac/history`)).status).toBe(400);
  });

  it('should still have the history after the daemon restarts on the same data directory', async () => {
    const before = await timeline(daemon!);
    await daemon!.stop();
    expect(existsSync(path.join(dataDir, 'history.sqlite'))).toBe(true);

    daemon = await started();
    const after = await timeline(daemon);
    expect(after).toEqual(before);
    expect(vxlanRows(after).map((i) => [i.change, i.vtep, i.previousVtep])).toEqual([
      ['updated', MOVED_TO, h2.underlayIp],
      ['added', h2.underlayIp, undefined],
    ]);
  });
});
