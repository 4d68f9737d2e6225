/**
 * The dashboard in a real browser (Debian chromium through playwright-core) against the real daemon
 * watching the seed overlay with traffic on it.
 */
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

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

  beforeAll(async () => {
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
});
