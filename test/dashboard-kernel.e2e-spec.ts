/**
 * The dashboard's kernel panels in a real browser (Debian chromium through playwright-core) against
 * the real daemon watching host 1 of the seed overlay: FDB highlights as the kernel learns, moves and
 * removes an entry, a MAC's history, the VTEP health panel, detections and drop reasons.
 */
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { SeedOverlay } from '../apps/vxscope/src/lab/seed-overlay';
import { DaemonProcess, waitFor } from './support/daemon';
import { uniquePrefix } from './support/env';

/** An address on the test's own underlay subnet that no namespace holds. */
const NOWHERE = '10.11.0.99';

describe('dashboard kernel panels in chromium', () => {
  const run = new CommandRunner();
  const seed = new SeedOverlay(run, { prefix: uniquePrefix() });
  const [h1, h2] = seed.hosts;
  const [c1, c2] = seed.containers;
  let daemon: DaemonProcess;
  let browser: Browser;
  let page: Page;
  let ping: ChildProcess | undefined;
  const failed: string[] = [];
  const pageErrors: string[] = [];

  const fdbRow = (): ReturnType<Page['locator']> => page.locator(`[data-testid="fdb-table"] tr[data-testid="fdb-row"][data-mac="${c2.mac}"][data-netns="${h1.netns}"][data-device="${h1.vxlan}"][data-table="self"]`);
  const bridgeFdb = (...args: string[]): Promise<string> => run.run('bridge', ['-n', h1.netns, 'fdb', ...args]);

  beforeAll(async () => {
    await seed.create();
    daemon = await DaemonProcess.start(['--netns', h1.netns]);
    await waitFor('the collector to run', async () => ((await daemon.get<{ status: string }>('/healthz')).status === 'ok' ? true : undefined));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(daemon.baseUrl);
    await page.getByTestId('connection').getByText('live').waitFor({ timeout: 10_000 });
  });

  afterAll(async () => {
    ping?.kill('SIGKILL');
    await browser?.close();
    await daemon?.stop();
    await seed.destroy();
  });

  it('should highlight the FDB row of c2\'s MAC as learned when pings make the kernel learn it', async () => {
    // The containers' own multicast chatter may have taught h1 the MAC already: forget it, so that
    // the page (live by now) sees it learned.
    await bridgeFdb('del', c2.mac, 'dev', h1.vxlan, 'self').catch(() => undefined);
    // Bounded: 300 pings at 10/s, killed below or in teardown if still running.
    ping = run.startIn(c1.netns, 'ping', ['-q', '-c', '300', '-i', '0.1', c2.ip]);
    const row = fdbRow().and(page.locator('[data-change="added"]')).filter({ hasText: h2.underlayIp });
    await row.waitFor({ timeout: 15_000 });
    await expect(row.getAttribute('class')).resolves.toContain('fdb-added');
    await expect(row.innerText()).resolves.toMatch(/learned/);
  });

  it('should show the row moved from h2 when the entry is replaced by one to another VTEP', async () => {
    await bridgeFdb('replace', c2.mac, 'dev', h1.vxlan, 'dst', NOWHERE, 'self', 'permanent');
    const row = fdbRow().and(page.locator('[data-change="moved"]'));
    await row.waitFor({ timeout: 10_000 });
    await expect(row.getAttribute('class')).resolves.toContain('fdb-moved');
    await expect(row.locator('[data-field="dst"]').innerText()).resolves.toBe(`${NOWHERE} moved from ${h2.underlayIp}`);
    await expect(row.getByTestId('fdb-moved-from').innerText()).resolves.toBe(`moved from ${h2.underlayIp}`);
    await expect(row.innerText()).resolves.toMatch(/static/);
  });

  it('should open the MAC\'s history as a timeline with added and updated when the MAC is clicked', async () => {
    await fdbRow().getByTestId('fdb-mac').click();
    const panel = page.getByTestId('fdb-history');
    await panel.waitFor({ state: 'visible', timeout: 5000 });
    await expect(page.getByTestId('fdb-history-mac').innerText()).resolves.toBe(c2.mac);
    const updated = panel.locator(`[data-testid="fdb-history-row"][data-change="updated"][data-moved="true"]`);
    await updated.first().waitFor({ timeout: 10_000 });
    await panel.locator(`[data-testid="fdb-history-row"][data-change="added"]`).first().waitFor({ timeout: 5000 });
    const text = await updated.first().innerText();
    expect(text).toContain(h1.vxlan);
    expect(text).toContain(`VTEP ${NOWHERE}`);
    expect(text).toContain(`from ${h2.underlayIp}`);
    // Newest first: the move comes before the learning.
    const changes = await panel.getByTestId('fdb-history-row').evaluateAll((els) => els.map((el) => el.getAttribute('data-change')));
    expect(changes.indexOf('updated')).toBeLessThan(changes.lastIndexOf('added'));
  });

  it('should list h2\'s VTEP with traffic both ways, its FDB entries and its route; and the VTEP nobody answers for as silent', async () => {
    const vtep = page.locator(`[data-testid="vtep-row"][data-netns="${h1.netns}"][data-address="${h2.underlayIp}"]`);
    await vtep.waitFor({ timeout: 10_000 });
    await page.waitForFunction(
      (sel) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document;
        const value = (f: string): number => Number(doc.querySelector(`${sel} [data-field="${f}"]`)?.getAttribute('data-value'));
        return value('packets-to') > 0 && value('packets-from') > 0;
      },
      `[data-testid="vtep-row"][data-netns="${h1.netns}"][data-address="${h2.underlayIp}"]`,
      { timeout: 10_000 },
    );
    await expect(vtep.getAttribute('data-silent')).resolves.toBe('false');
    const text = await vtep.innerText();
    expect(text).toContain(h1.vxlan);
    expect(text).toMatch(/s ago|just now/);
    expect(text).toContain(`dev ${h1.underlayIf}`);

    // The static entry points c2's MAC at an address no one holds: FDB points there, nothing heard.
    const nowhere = page.locator(`[data-testid="vtep-row"][data-netns="${h1.netns}"][data-address="${NOWHERE}"]`);
    await nowhere.waitFor({ timeout: 10_000 });
    await expect(nowhere.getAttribute('data-silent')).resolves.toBe('true');
    await expect(nowhere.locator('[data-field="fdb"]').getAttribute('data-value')).resolves.toBe('1');
    await expect(nowhere.locator('[data-field="last-heard"]').innerText()).resolves.toBe('never (silent)');
  });

  it('should show the detections list and the kernel drop reasons (or why tracefs is off)', async () => {
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
      return doc.querySelector('[data-testid="drops-table"]') !== null || doc.querySelector('[data-testid="drops-off"]') !== null || doc.querySelector('#drops p.muted:not(:empty)') !== null;
    }, undefined, { timeout: 10_000 });
    const drops = await page.getByTestId('drops').innerText();
    expect(drops).not.toMatch(/loading/);
    expect(drops).toMatch(/^(tracefs off: .+|No drops counted\.|reason\s+drops[\s\S]*)$/);
    // c2 talks to c1: its frames reach h1 from h2's VTEP while the static entry sends its MAC to
    // NOWHERE, which the wire check reports live. (c1's replies go to NOWHERE: the pings fail.)
    await run.runIn(c2.netns, 'ping', ['-c', '3', '-i', '0.2', '-W', '1', c1.ip]).catch(() => undefined);
    const detection = page.locator(`[data-testid="detection"][data-kind="misdirected"][data-mac="${c2.mac}"]`).first();
    await detection.waitFor({ timeout: 10_000 });
    const text = await detection.innerText();
    expect(text).toContain(h1.netns);
    expect(text).toContain(h2.underlayIp);
    expect(text).toContain(String(seed.vni));

    await page.screenshot({ path: path.join(tmpdir(), 'vxscope-dashboard-kernel.png'), fullPage: true });
  });

  it('should strike out the row when the entry is removed, then drop it', async () => {
    ping?.kill('SIGKILL');
    ping = undefined;
    await bridgeFdb('del', c2.mac, 'dev', h1.vxlan, 'self');
    const removed = fdbRow().and(page.locator('[data-change="removed"]'));
    await removed.waitFor({ timeout: 5000 });
    await expect(removed.locator('td').first().evaluate((td) => (globalThis as unknown as { getComputedStyle(e: unknown): { textDecorationLine: string } }).getComputedStyle(td).textDecorationLine)).resolves.toBe('line-through');
    await removed.waitFor({ state: 'detached', timeout: 10_000 });
    expect(failed).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
