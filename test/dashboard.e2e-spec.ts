/**
 * The dashboard in a real browser (Debian chromium through playwright-core) against the real daemon
 * watching the seed overlay with traffic on it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { SeedOverlay } from '../apps/vxscope/src/lab/seed-overlay';
import { DaemonProcess, waitFor } from './support/daemon';
import { uniquePrefix } from './support/env';

describe('dashboard in chromium', () => {
  const run = new CommandRunner();
  const seed = new SeedOverlay(run, { prefix: uniquePrefix() });
  const [h1, h2] = seed.hosts;
  const [c1, c2] = seed.containers;
  let daemon: DaemonProcess;
  let browser: Browser;
  let ping: ChildProcess;
  let dir: string;

  const open = async (): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    await page.goto(daemon.baseUrl);
    await page.getByTestId('connection').getByText('live').waitFor({ timeout: 10_000 });
    return page;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vxscope-dashboard-'));
    await seed.create();
    daemon = await DaemonProcess.start(['--netns', h1.netns]);
    await waitFor('the collector to run', async () => ((await daemon.get<{ status: string }>('/healthz')).status === 'ok' ? true : undefined));
    // Bounded: 150 pings at 10/s, killed in teardown if still running.
    ping = run.startIn(c1.netns, 'ping', ['-q', '-c', '150', '-i', '0.1', c2.ip]);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    ping?.kill('SIGKILL');
    await browser?.close();
    await daemon?.stop();
    await seed.destroy();
    if (dir) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('should chart non-zero packets/s for the VNI and list the learned FDB row', async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await page.goto(daemon.baseUrl);
    await page.getByTestId('connection').getByText('live').waitFor({ timeout: 10_000 });

    // The chart is a canvas: read its data through the Chart instance the page exposes.
    await page.waitForFunction(
      (label) => {
        const chart = (globalThis as unknown as { vxscope: { chart: { data: { datasets: { label: string; data: number[] }[] } } } }).vxscope.chart;
        const ds = chart.data.datasets.find((d) => d.label === label);
        return ds !== undefined && ds.data.some((v) => v > 0);
      },
      `VNI ${seed.vni} (${h1.netns})`,
      { timeout: 15_000 },
    );

    const row = page.locator(`[data-testid="fdb-table"] tr[data-mac="${c2.mac}"]`).filter({ hasText: h2.underlayIp });
    await row.waitFor({ timeout: 10_000 });
    await expect(row.innerText()).resolves.toMatch(/learned/);
    await expect(page.getByTestId('vxlan-table').innerText()).resolves.toContain(h2.underlayIp);
    await page.screenshot({ path: path.join(tmpdir(), 'vxscope-dashboard.png'), fullPage: true });
    expect(failed).toEqual([]);
  });

  it('should show the underlay capture in the capture-health panel with packets and no drops', async () => {
    const page = await open();
    const row = page.locator(`[data-testid="capture-row"][data-netns="${h1.netns}"][data-name="${h1.underlayIf}"]`);
    await row.waitFor({ timeout: 10_000 });
    // The panel polls every 2 s: wait for a refresh that carries libpcap's counters and traffic.
    await page.waitForFunction(
      (sel) => {
        const cell = (f: string): string | null | undefined =>
          (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document
            .querySelector(`${sel} [data-field="${f}"]`)
            ?.getAttribute('data-value');
        return Number(cell('packets')) > 0 && cell('received') !== '';
      },
      `[data-testid="capture-row"][data-netns="${h1.netns}"][data-name="${h1.underlayIf}"]`,
      { timeout: 10_000 },
    );
    const value = (field: string): Promise<string | null> => row.locator(`[data-field="${field}"]`).getAttribute('data-value');
    expect(Number(await value('packets'))).toBeGreaterThan(0);
    expect(Number(await value('vxlan'))).toBeGreaterThan(0);
    expect(await value('dropped')).toBe('0');
    await expect(row.innerText()).resolves.toMatch(/active/);
    await page.close();
  });

  it('should list the VNI\'s packets layer by layer in the inspector, and download them as a pcap tshark reads', async () => {
    const page = await open();
    await page.getByTestId('inspector-vni').locator('option', { hasText: `VNI ${seed.vni} (${h1.netns})` }).waitFor({ state: 'attached', timeout: 10_000 });
    await page.getByTestId('inspector-vni').selectOption({ label: `VNI ${seed.vni} (${h1.netns})` });
    await page.getByTestId('inspector-ip').fill(c2.ip);
    await page.getByTestId('inspector-show').click();

    const packet = page.getByTestId('packet').filter({ hasText: /icmp type 8/ }).first();
    await packet.waitFor({ timeout: 10_000 });
    const lines = packet.getByTestId('layer');
    await expect(lines.filter({ hasText: new RegExp(`VNI ${seed.vni}\\b`) }).count()).resolves.toBe(1);
    const layers = await lines.evaluateAll((els) =>
      els.map((el) => {
        const text = (cls: string): string | undefined => (el as unknown as { querySelector(s: string): { textContent: string } | null }).querySelector(`.${cls}`)?.textContent;
        return { tag: text('tag'), type: text('ltype'), summary: text('summary') };
      }),
    );
    expect(layers).toEqual([
      { tag: 'outer', type: 'ethernet', summary: expect.stringContaining('type 0x0800') },
      { tag: 'outer', type: 'ipv4', summary: expect.stringContaining(`${h1.underlayIp} > ${h2.underlayIp} proto 17 `) },
      { tag: 'outer', type: 'udp', summary: expect.stringContaining(` > ${seed.port} len `) },
      { tag: 'outer', type: 'vxlan', summary: expect.stringMatching(new RegExp(`^VNI ${seed.vni} `)) },
      { tag: 'inner', type: 'ethernet', summary: `${c1.mac} > ${c2.mac} type 0x0800` },
      { tag: 'inner', type: 'ipv4', summary: expect.stringContaining(`${c1.ip} > ${c2.ip} proto 1 `) },
      { tag: 'inner', type: 'icmp', summary: 'icmp type 8 code 0' },
      // ping's default 56 data bytes
      { tag: 'inner', type: 'payload', summary: '56 bytes (data)' },
    ]);
    await packet.locator('summary').click();
    await expect(packet.locator('pre.hex').innerText()).resolves.toMatch(/^0000 {2}[0-9a-f]{2} /);

    const href = await page.getByTestId('pcap-download').getAttribute('href');
    expect(href).toBe(`/api/captures/export?netns=${h1.netns}&vni=${seed.vni}&ip=${c2.ip}&limit=50`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pcap-download').click()]);
    const file = path.join(dir, 'inspector.pcap');
    await download.saveAs(file);
    const vnis = (await run.run('tshark', ['-r', file, '-n', '-Y', `vxlan.vni == ${seed.vni} && icmp`, '-T', 'fields', '-e', 'vxlan.vni'])).split('\n').filter(Boolean);
    expect(vnis.length).toBeGreaterThanOrEqual(1);
    expect(new Set(vnis)).toEqual(new Set([String(seed.vni)]));

    await page.screenshot({ path: path.join(tmpdir(), 'vxscope-dashboard-inspector.png'), fullPage: true });
    await page.close();
  });
});
