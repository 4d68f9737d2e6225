/**
 * The dashboard's Labs panel in a real browser (Debian chromium through playwright-core) against the
 * real daemon: create a unicast lab through the form, probe it, break it, repair it, delete it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { FAULTS } from '../apps/vxscope/src/lab/faults/faults';
import type { LabRecord } from '../apps/vxscope/src/lab/lab.types';
import { freePort, waitFor } from './support/daemon';

const ROOT = path.resolve(__dirname, '..');

/**
 * The daemon with its own lab prefix and data dir. test/support/daemon.ts cannot pass environment
 * variables yet, so this spawns ./bin/vxscope the same way DaemonProcess does.
 */
class LabDaemon {
  readonly output: string[] = [];
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (b: Buffer) => this.output.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => this.output.push(b.toString()));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(env: Record<string, string>): Promise<LabDaemon> {
    const port = await freePort();
    const child = spawn(path.join(ROOT, 'bin/vxscope'), ['serve', '--listen', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const d = new LabDaemon(port, child);
    await waitFor('the daemon to answer /healthz', async () => ((await fetch(`${d.baseUrl}/healthz`)).ok ? true : undefined), 20_000).catch(
      async (err: Error) => {
        await d.stop();
        throw new Error(`${err.message}\n--- daemon output ---\n${d.output.join('')}`);
      },
    );
    return d;
  }

  async api<T>(method: string, urlPath: string): Promise<T | undefined> {
    const res = await fetch(`${this.baseUrl}${urlPath}`, { method });
    if (!res.ok) {
      throw new Error(`${method} ${urlPath}: HTTP ${res.status} ${await res.text()}`);
    }
    return res.status === 204 ? undefined : ((await res.json()) as T);
  }

  /** SIGTERM (the daemon takes its labs down), then SIGKILL after a grace period. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

describe('dashboard labs panel in chromium', () => {
  const run = new CommandRunner();
  // The lab module names everything `<prefix>-<id>-…`: a prefix of our own keeps this run apart.
  const prefix = `d${randomBytes(3).toString('hex')}`;
  const vni = 1000 + (randomBytes(2).readUInt16BE(0) % 9000);
  let daemon: LabDaemon | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let dir: string | undefined;
  const pageErrors: string[] = [];

  const labNamespaces = async (): Promise<string[]> =>
    (await run.run('ip', ['netns', 'list']))
      .split('\n')
      .map((l) => l.split(' ')[0])
      .filter((n) => n.startsWith(`${prefix}-`));

  const panel = (): Locator => page.getByTestId('labs-panel');
  const labCard = (): Locator => panel().getByTestId('lab');

  /** One attribute of every element the locator matches, in document order. */
  const attrs = async (loc: Locator, name: string): Promise<(string | null)[]> => {
    const out: (string | null)[] = [];
    for (let i = 0, n = await loc.count(); i < n; i++) {
      out.push(await loc.nth(i).getAttribute(name));
    }
    return out;
  };

  const probe = async (verdict: 'PASS' | 'FAIL'): Promise<void> => {
    await labCard().getByTestId('lab-probe').click();
    await labCard().getByTestId('lab-pending').waitFor({ timeout: 5_000 }).catch(() => undefined);
    await labCard().getByTestId('probe-verdict').filter({ hasText: verdict }).waitFor({ timeout: 45_000 });
    await labCard().getByTestId('lab-pending').waitFor({ state: 'detached', timeout: 5_000 });
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vxscope-dashboard-lab-'));
    daemon = await LabDaemon.start({ VXSCOPE_LAB_PREFIX: prefix, VXSCOPE_DATA_DIR: dir });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(daemon.baseUrl);
    await page.getByTestId('connection').getByText('live').waitFor({ timeout: 10_000 });
  });

  afterAll(async () => {
    if (daemon) {
      const labs = (await daemon.api<LabRecord[]>('GET', '/api/labs').catch(() => undefined)) ?? [];
      for (const lab of labs) {
        await daemon.api('DELETE', `/api/labs/${lab.id}`).catch(() => undefined);
      }
    }
    await browser?.close();
    await daemon?.stop();
    // Last line of defence: nothing with this run's prefix survives, also after a failure.
    for (const ns of await labNamespaces().catch(() => [])) {
      const pids = (await run.run('ip', ['netns', 'pids', ns]).catch(() => '')).split('\n').filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await run.run('ip', ['netns', 'del', ns]).catch(() => undefined);
    }
    if (dir) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('should show the API\'s 400 message in the panel, and send the token from the token field as a bearer token', async () => {
    await page.getByTestId('lab-token').fill('s3cret-token');
    const request = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/labs'));
    await page.getByTestId('lab-mode').selectOption('unicast');
    await page.getByTestId('lab-hosts').fill('3');
    await page.getByTestId('lab-vni').fill(String(vni));
    await page.getByTestId('lab-create').click();
    const sent = await request;
    expect(sent.headers().authorization).toBe('Bearer s3cret-token');
    expect(sent.postDataJSON()).toEqual({ mode: 'unicast', hosts: 3, vni, learning: true });
    await expect(page.evaluate("sessionStorage.getItem('vxscope.token')")).resolves.toBe('s3cret-token');

    const error = panel().getByTestId('lab-error');
    await error.filter({ hasText: /exactly 2 hosts/ }).waitFor({ timeout: 10_000 });
    await expect(error.innerText()).resolves.toMatch(/400 Bad Request: hosts: a unicast lab/);
    await expect(labCard().count()).resolves.toBe(0);

    await page.getByTestId('lab-token').fill('');
    await expect(page.evaluate("sessionStorage.getItem('vxscope.token')")).resolves.toBeNull();
  });

  it('should create a unicast lab, probe it green, break it red, repair it green again, and delete it', async () => {
    const d = daemon!;
    await page.getByTestId('lab-mode').selectOption('unicast');
    await page.getByTestId('lab-hosts').fill('2');
    await page.getByTestId('lab-vni').fill(String(vni));
    await page.getByTestId('lab-endpoints').fill('1');
    await page.getByTestId('lab-create').click();

    await labCard().and(page.locator('[data-state="ready"]')).waitFor({ timeout: 30_000 });
    await expect(panel().getByTestId('lab-error').isHidden()).resolves.toBe(true);
    const [lab] = (await d.api<LabRecord[]>('GET', '/api/labs'))!;
    expect(lab.spec).toMatchObject({ mode: 'unicast', hosts: 2, vni, endpointsPerHost: 1, learning: true });
    expect(lab.prefix).toBe(prefix);
    await expect(labCard().getAttribute('data-lab-id')).resolves.toBe(lab.id);
    // Hosts, VTEP addresses and endpoints as the API lists them; the last build step from 'lab.progress'.
    await expect(labCard().getByTestId('lab-vtep').allInnerTexts()).resolves.toEqual(lab.hosts.map((h) => h.underlayIp));
    const endpoints = lab.hosts.flatMap((h) => h.endpoints);
    const shown = await labCard().getByTestId('lab-endpoint').allInnerTexts();
    expect(shown).toHaveLength(2);
    endpoints.forEach((e, i) => expect(shown[i]).toContain(e.ip));
    await expect(labCard().getByTestId('lab-progress').innerText()).resolves.toMatch(/build/i);
    await expect(labCard().getByTestId('lab-state').innerText()).resolves.toBe('ready');

    // Probe: a 2×2 grid without the diagonal, all green; the DF pings go as the MTU says.
    await probe('PASS');
    const cells = labCard().getByTestId('probe-cell');
    await expect(cells.count()).resolves.toBe(2);
    await expect(attrs(cells, 'data-pass')).resolves.toEqual(['true', 'true']);
    await expect(attrs(cells, 'class')).resolves.toEqual(['cell pass', 'cell pass']);
    await expect(labCard().getByTestId('probe-row').count()).resolves.toBe(2);
    await expect(labCard().getByTestId('probe-col').count()).resolves.toBe(2);
    await expect(cells.first().innerText()).resolves.toMatch(/3\/3[\s\S]*ms/);
    const mtuRows = labCard().getByTestId('probe-mtu-row');
    await expect(mtuRows.count()).resolves.toBe(4);
    await expect(attrs(mtuRows, 'data-ok')).resolves.toEqual(['true', 'true', 'true', 'true']);
    await expect(labCard().getByTestId('lab-progress').innerText()).resolves.toMatch(/probe[\s\S]*6\/6/i);
    await panel().screenshot({ path: path.join(tmpdir(), 'vxscope-dashboard-lab.png') });

    // Break: link-down on host 0; the panel shows the effect the API returns.
    await labCard().getByTestId('lab-fault-type').selectOption('link-down');
    await labCard().getByTestId('lab-fault-host').selectOption('0');
    await labCard().getByTestId('lab-break').click();
    const fault = labCard().getByTestId('lab-fault');
    await fault.filter({ hasText: 'link-down' }).waitFor({ timeout: 15_000 });
    await expect(labCard().getByTestId('lab-effect').innerText()).resolves.toContain(FAULTS['link-down'].effect);
    await expect(fault.innerText()).resolves.toMatch(/on host 0/);
    const faults = (await d.api<LabRecord>('GET', `/api/labs/${lab.id}`))!.faults;
    expect(faults.map((f) => [f.type, f.host])).toEqual([['link-down', 0]]);

    await probe('FAIL');
    await expect(attrs(cells, 'data-pass')).resolves.toEqual(['false', 'false']);
    await expect(labCard().locator('td.cell.fail[data-testid="probe-cell"]').count()).resolves.toBe(2);
    await expect(cells.first().innerText()).resolves.toMatch(/0\/3[\s\S]*no reply/);
    await panel().screenshot({ path: path.join(tmpdir(), 'vxscope-dashboard-lab-broken.png') });

    // Repair (DELETE the fault), then probe green again.
    await fault.getByTestId('lab-repair').click();
    await fault.waitFor({ state: 'detached', timeout: 15_000 });
    expect((await d.api<LabRecord>('GET', `/api/labs/${lab.id}`))!.faults).toEqual([]);
    await probe('PASS');
    await expect(attrs(cells, 'data-pass')).resolves.toEqual(['true', 'true']);

    // Delete: the card goes, and so does every namespace with the prefix.
    await labCard().getByTestId('lab-delete').click();
    await labCard().waitFor({ state: 'detached', timeout: 30_000 });
    await expect(d.api<LabRecord[]>('GET', '/api/labs')).resolves.toEqual([]);
    await expect(labNamespaces()).resolves.toEqual([]);
    await expect(panel().getByTestId('lab-error').isHidden()).resolves.toBe(true);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
