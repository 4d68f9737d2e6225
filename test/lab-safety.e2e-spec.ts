/**
 * The lab API as an attack surface, on the real daemon: hostile input is refused with 400 (413 for
 * a huge body) naming the field, and nothing is created; with --token every mutation needs the
 * bearer token; lab limits hold; `vxscope lab gc` cleans up after a daemon killed with SIGKILL; and
 * the `vxscope lab` CLI drives a lab end to end. (The 403 of a daemon listening beyond loopback
 * without a token is a unit test of MutationGuard: these tests never listen beyond loopback.)
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import * as path from 'node:path';

import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { waitFor } from './support/daemon';
import { LabDaemon, namespacesOf, sweepNamespaces, vxscope, type HttpResult, type LabRecord } from './support/lab-client';

const messages = (r: HttpResult): string[] => {
  const m = (r.body as { message?: string | string[] } | undefined)?.message;
  return Array.isArray(m) ? m : m === undefined ? [] : [m];
};

/** 400 whose message names `field` (class-validator: "field must …"; the lab: "field: …"; whitelist: "property field should not exist"). */
const expectRefused = (r: HttpResult, field: string): void => {
  const named = messages(r).some((m) => m.startsWith(`${field} `) || m.startsWith(`${field}:`) || m.startsWith(`property ${field} `));
  expect({ status: r.status, named, body: r.body }).toEqual({ status: 400, named: true, body: r.body });
};

const records = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('lab safety', () => {
  const run = new CommandRunner();

  describe('hostile input', () => {
    let d: LabDaemon;
    let lab: LabRecord;

    /** Exactly the one lab of beforeAll, unbroken: its namespaces, its record, no faults. */
    const expectNothingCreated = async (): Promise<void> => {
      expect(await namespacesOf(d.prefix)).toEqual([...lab.namespaces].sort());
      expect((await d.client.list()).map((l) => ({ id: l.id, faults: l.faults }))).toEqual([{ id: lab.id, faults: [] }]);
      expect(records(d.recordsDir)).toEqual([`${lab.id}.json`]);
    };

    beforeAll(async () => {
      d = await LabDaemon.start();
      lab = await d.client.create({ mode: 'static-fdb', hosts: 3, vni: 4301 });
    });

    afterAll(async () => {
      await d?.teardown();
    });

    it.each<[string, string, Record<string, unknown>]>([
      ['VNI 16777216', 'vni', { mode: 'static-fdb', hosts: 3, vni: 16777216 }],
      ['VNI -1', 'vni', { mode: 'static-fdb', hosts: 3, vni: -1 }],
      ['VNI as a command', 'vni', { mode: 'static-fdb', hosts: 3, vni: '1; reboot' }],
      ['0 hosts', 'hosts', { mode: 'static-fdb', hosts: 0, vni: 10 }],
      ['100 hosts', 'hosts', { mode: 'static-fdb', hosts: 100, vni: 10 }],
      ['unicast with 3 hosts', 'hosts', { mode: 'unicast', hosts: 3, vni: 10 }],
      ['a group with a command after it', 'group', { mode: 'multicast', hosts: 3, vni: 10, group: '239.1.1.1; rm -rf /' }],
      ['a group that is a command substitution', 'group', { mode: 'multicast', hosts: 3, vni: 10, group: '$(reboot)' }],
      ['a group with a newline', 'group', { mode: 'multicast', hosts: 3, vni: 10, group: '239.1.1.1\nip link del u0' }],
      ['a unicast group', 'group', { mode: 'multicast', hosts: 3, vni: 10, group: '10.0.0.1' }],
      ['a group outside multicast mode', 'group', { mode: 'static-fdb', hosts: 3, vni: 10, group: '239.1.1.1' }],
      ['mode "x"', 'mode', { mode: 'x', hosts: 3, vni: 10 }],
      ['an unknown field', 'netns', { mode: 'unicast', hosts: 2, vni: 10, netns: '/proc/1/ns/net' }],
      ['port 0', 'port', { mode: 'unicast', hosts: 2, vni: 10, port: 0 }],
      ['17 endpoints per host', 'endpointsPerHost', { mode: 'unicast', hosts: 2, vni: 10, endpointsPerHost: 17 }],
    ])('should refuse a lab with %s (400 naming %s) and create nothing', async (_what, field, body) => {
      expectRefused(await d.client.request('POST', '/api/labs', body), field);
      await expectNothingCreated();
    });

    it('should refuse a 5 MB body with 413 and create nothing', async () => {
      const raw = JSON.stringify({ mode: 'unicast', hosts: 2, vni: 10, pad: 'x'.repeat(5 * 1024 * 1024) });
      const r = await d.client.request('POST', '/api/labs', undefined, { raw });
      expect({ status: r.status, body: r.body }).toEqual({ status: 413, body: r.body });
      await expectNothingCreated();
    });

    it.each<[string, string, Record<string, unknown>]>([
      ['an unknown type', 'type', { type: 'unknown', host: 0 }],
      ['a type that is a command', 'type', { type: 'link-down; reboot', host: 0 }],
      ['host 7 of a 3-host lab', 'host', { type: 'link-down', host: 7 }],
      ['host 8', 'host', { type: 'link-down', host: 8 }],
      ['host -1', 'host', { type: 'link-down', host: -1 }],
      ['an unknown field', 'netns', { type: 'link-down', host: 0, netns: 'x' }],
    ])('should refuse a fault with %s (400 naming %s) and break nothing', async (_what, field, body) => {
      expectRefused(await d.client.request('POST', `/api/labs/${lab.id}/faults`, body), field);
      await expectNothingCreated();
      for (const h of lab.hosts) {
        expect((await d.client.links(h.netns)).vxlan).toEqual([expect.objectContaining({ name: 'vxlan0', up: true, master: 'obr0' })]);
      }
    });

    const ids = ['../../etc', 'abcd;ls'];
    it.each(ids.flatMap((id) => [
      ['GET', id, ''],
      ['DELETE', id, ''],
      ['POST', id, '/probe'],
      ['POST', id, '/faults'],
      ['DELETE', id, '/faults/f1'],
    ]))('should refuse %s with lab id %j in the URL (400 naming id)', async (method, id, rest) => {
      const body = rest === '/faults' ? { type: 'link-down', host: 0 } : undefined;
      expectRefused(await d.client.request(method, `/api/labs/${encodeURIComponent(id)}${rest}`, body), 'id');
      await expectNothingCreated();
    });

    it('should refuse a fault id that is not f<n> (400 naming faultId)', async () => {
      expectRefused(await d.client.request('DELETE', `/api/labs/${lab.id}/faults/${encodeURIComponent('../../x')}`), 'faultId');
      await expectNothingCreated();
    });

    it('should not route an unencoded "../../etc" anywhere (404) and remove nothing', async () => {
      // fetch would normalise the dots away; send the raw path as a hostile client would.
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: d.daemon.port, method: 'DELETE', path: '/api/labs/../../etc' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(404);
      await expectNothingCreated();
    });

    it('should answer 404 for a well-formed lab id it does not have, and 204 for deleting it (already gone)', async () => {
      expect((await d.client.request('GET', '/api/labs/ffff')).status).toBe(404);
      expect((await d.client.request('POST', '/api/labs/ffff/probe')).status).toBe(404);
      expect((await d.client.request('POST', '/api/labs/ffff/faults', { type: 'link-down', host: 0 })).status).toBe(404);
      expect((await d.client.request('DELETE', `/api/labs/${lab.id}/faults/f9`)).status).toBe(404);
      expect((await d.client.request('DELETE', '/api/labs/ffff')).status).toBe(204);
      await expectNothingCreated();
    });

    describe('the vxscope lab CLI against the daemon', () => {
      const cli = (...args: string[]): ReturnType<typeof vxscope> => vxscope(['lab', ...args], { ...d.env, VXSCOPE_URL: d.daemon.baseUrl });
      let id: string;

      it('should create a lab, printing the build progress and the lab (exit 0)', async () => {
        const r = await cli('create', '--mode', 'unicast', '--vni', '4302');
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
        id = /^lab ([0-9a-f]{4}) {2}unicast {2}VNI 4302 {2}port 4789 {2}MTU 1450 {2}state ready$/m.exec(r.stdout)?.[1] ?? '';
        expect(id).toMatch(/^[0-9a-f]{4}$/);
        expect(r.stdout).toContain(`[${id} build] underlay switch`);
        expect(r.stdout).toMatch(new RegExp(`^ {2}host 1 {2}${d.prefix}-${id}-h2 {2}VTEP 10\\.254\\.\\d+\\.2$`, 'm'));
        expect(await namespacesOf(`${d.prefix}-${id}`)).toHaveLength(5);
      });

      it('should list the labs (exit 0)', async () => {
        const r = await cli('list');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^lab ${id} {2}unicast`, 'm'));
        expect(r.stdout).toMatch(new RegExp(`^lab ${lab.id} {2}static-fdb`, 'm'));
      });

      it('should probe with progress and exit 0 on a pass, 3 on a fail; break and repair with fault', async () => {
        const ok = await cli('probe', id);
        expect(ok.code).toBe(0);
        expect(ok.stdout).toMatch(/^probe: PASS$/m);
        // Progress over the WebSocket: 2 pairs and 4 DF sizes towards the one other host.
        expect(ok.stdout).toMatch(new RegExp(`^ {2}\\[${id} probe [1-6]/6\\] `, 'm'));
        expect(ok.stdout.match(/^ {2}ok {3}\d/gm)).toHaveLength(2);

        const f = await cli('fault', id, 'mtu', '--host', '1');
        expect({ code: f.code, out: f.stdout.trim() }).toEqual({ code: 0, out: `fault f1: mtu on host 1: ${(await d.client.get(id)).faults[0]?.effect}` });

        const bad = await cli('probe', id);
        expect(bad.code).toBe(3);
        expect(bad.stdout).toMatch(/^probe: FAIL$/m);
        expect(bad.stdout).toMatch(/^ {2}FAIL DF 1450 bytes .* dropped \(fits the MTU\)$/m);

        const rev = await cli('fault', id, '--revert', 'f1');
        expect({ code: rev.code, out: rev.stdout.trim() }).toEqual({ code: 0, out: `fault f1 of lab ${id} reverted` });
        expect((await d.client.get(id)).faults).toEqual([]);
      });

      it('should report errors with exit 1 (daemon refused, not reachable) and 2 (bad arguments)', async () => {
        const missing = await cli('probe', 'ffff');
        expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('HTTP 404') });
        const badMode = await cli('create', '--mode', 'bogus', '--vni', '1');
        expect({ code: badMode.code, stderr: badMode.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('HTTP 400: mode must be one of') });
        const badVni = await cli('create', '--mode', 'unicast', '--vni', '1;reboot');
        expect({ code: badVni.code, stderr: badVni.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('vni: "1;reboot" is not a whole number') });
        const noType = await cli('fault', id);
        expect(noType.code).toBe(2);
        const down = await vxscope(['lab', 'list'], { VXSCOPE_URL: 'http://127.0.0.1:1' });
        expect({ code: down.code, stderr: down.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('cannot reach the daemon') });
      });

      it('should delete the lab (exit 0) and leave none of its namespaces', async () => {
        const r = await cli('delete', id);
        expect({ code: r.code, out: r.stdout.trim() }).toEqual({ code: 0, out: `lab ${id} removed` });
        expect(await namespacesOf(`${d.prefix}-${id}`)).toEqual([]);
        await expectNothingCreated();
      });
    });
  });

  describe('with --token', () => {
    const token = randomBytes(16).toString('hex');
    let d: LabDaemon;

    beforeAll(async () => {
      d = await LabDaemon.start({ token });
    });

    afterAll(async () => {
      await d?.teardown();
    });

    it.each<[string, { token?: string | null; headers?: Record<string, string> }]>([
      ['no token', { token: null }],
      ['a wrong token', { token: randomBytes(16).toString('hex') }],
      ['the token and more', { token: `${token}0` }],
      ['the token under another scheme', { token: null, headers: { authorization: `Basic ${token}` } }],
      ['the bare token', { token: null, headers: { authorization: token } }],
    ])('should refuse to create a lab with %s (401) and create nothing', async (_what, auth) => {
      const r = await d.client.request('POST', '/api/labs', { mode: 'unicast', hosts: 2, vni: 4311 }, auth);
      expect(r.status).toBe(401);
      expect(await namespacesOf(d.prefix)).toEqual([]);
      expect(await d.client.list()).toEqual([]);
      expect(records(d.recordsDir)).toEqual([]);
    });

    it('should create with the right token, refuse every other mutation without it, and let gc keep a live daemon\'s lab', async () => {
      const lab = await d.client.create({ mode: 'unicast', hosts: 2, vni: 4312 });
      const ns = [...lab.namespaces].sort();
      expect(await namespacesOf(d.prefix)).toEqual(ns);
      for (const [method, p, body] of [
        ['POST', `/api/labs/${lab.id}/probe`, undefined],
        ['POST', `/api/labs/${lab.id}/faults`, { type: 'link-down', host: 0 }],
        ['DELETE', `/api/labs/${lab.id}/faults/f1`, undefined],
        ['DELETE', `/api/labs/${lab.id}`, undefined],
      ] as const) {
        expect({ method, p, status: (await d.client.request(method, p, body, { token: null })).status }).toEqual({ method, p, status: 401 });
        expect({ method, p, status: (await d.client.request(method, p, body, { token: `${token}0` })).status }).toEqual({ method, p, status: 401 });
      }
      // Reading needs no token.
      expect((await d.client.request('GET', `/api/labs/${lab.id}`, undefined, { token: null })).status).toBe(200);
      expect((await d.client.get(lab.id)).faults).toEqual([]);
      expect(await namespacesOf(d.prefix)).toEqual(ns);

      // The CLI passes the token on (and fails without it).
      const cliEnv = { ...d.env, VXSCOPE_URL: d.daemon.baseUrl };
      const noToken = await vxscope(['lab', 'delete', lab.id], cliEnv);
      expect({ code: noToken.code, stderr: noToken.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('HTTP 401') });

      // gc leaves the labs of a daemon that still runs.
      const gc = await vxscope(['lab', 'gc', '--data-dir', d.dataDir], d.env);
      expect(gc.code).toBe(0);
      expect(gc.stdout).toContain(`kept (their daemon still runs; --force to remove): ${lab.id}`);
      expect(await namespacesOf(d.prefix)).toEqual(ns);

      const del = await vxscope(['lab', 'delete', lab.id], { ...cliEnv, VXSCOPE_TOKEN: token });
      expect({ code: del.code, out: del.stdout.trim() }).toEqual({ code: 0, out: `lab ${lab.id} removed` });
      expect(await namespacesOf(d.prefix)).toEqual([]);
    });
  });

  describe('limits, and lab gc after the daemon was killed', () => {
    let d: LabDaemon;

    beforeAll(async () => {
      d = await LabDaemon.start({ env: { VXSCOPE_MAX_LABS: '1' } });
    });

    afterAll(async () => {
      await d?.teardown();
    });

    it('should refuse a second lab with 409 when VXSCOPE_MAX_LABS=1, then gc every namespace of a SIGKILLed daemon\'s lab', async () => {
      const lab = await d.client.create({ mode: 'unicast', hosts: 2, vni: 4321 });
      const ns = [...lab.namespaces].sort();
      const second = await d.client.request('POST', '/api/labs', { mode: 'unicast', hosts: 2, vni: 4322 });
      expect({ status: second.status, message: second.body.message }).toEqual({ status: 409, message: expect.stringContaining('VXSCOPE_MAX_LABS') });
      expect(await namespacesOf(d.prefix)).toEqual(ns);
      expect(records(d.recordsDir)).toEqual([`${lab.id}.json`]);

      // The daemon dies without its shutdown hooks: the lab stays behind, recorded.
      process.kill(lab.ownerPid, 'SIGKILL');
      await waitFor('the daemon to be gone', async () => {
        try {
          process.kill(lab.ownerPid, 0);
          return undefined;
        } catch {
          return true;
        }
      });
      expect(await namespacesOf(d.prefix)).toEqual(ns);
      expect(records(d.recordsDir)).toEqual([`${lab.id}.json`]);

      // A namespace under the prefix that no record lists is reported, not touched.
      const stray = `${d.prefix}-0000-stray`;
      await run.run('ip', ['netns', 'add', stray]);
      try {
        const gc = await vxscope(['lab', 'gc', '--data-dir', d.dataDir], { VXSCOPE_LAB_PREFIX: d.prefix });
        expect({ code: gc.code, stderr: gc.stderr }).toEqual({ code: 0, stderr: '' });
        expect(gc.stdout).toContain(`removed labs: ${lab.id}`);
        for (const n of ns) {
          expect(gc.stdout).toContain(`  removed namespace ${n}\n`);
        }
        expect(gc.stdout).toContain(`namespaces under the lab prefix with no record (left alone): ${stray}`);
        expect(await namespacesOf(d.prefix)).toEqual([stray]);
        expect(records(d.recordsDir)).toEqual([]);
        expect(existsSync(path.join(d.recordsDir, `${lab.id}.json`))).toBe(false);

        const again = await vxscope(['lab', 'gc', '--data-dir', d.dataDir], { VXSCOPE_LAB_PREFIX: d.prefix });
        expect({ code: again.code, first: again.stdout.split('\n')[0] }).toEqual({ code: 0, first: 'removed labs: none' });
      } finally {
        await sweepNamespaces(`${d.prefix}-0000`);
      }
    });
  });
});
