/**
 * Labs in every mode, built by the real daemon in namespaces: each passes its probe matrix, the
 * daemon's FDB view (a collector per lab host) names every remote endpoint behind its own VTEP as
 * the kernel has it, and DELETE leaves namespaces and links exactly as they were.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

import { CommandRunner } from '../apps/vxscope/src/lab/command.runner';
import { waitFor } from './support/daemon';
import { describeProbe, LabDaemon, snapshot, vtepEntries, type LabRecord } from './support/lab-client';

interface KernelFdb {
  mac: string;
  dst?: string;
  flags: string[];
  state: string;
}

const MODES = [
  { mode: 'unicast', hosts: 2, vni: 4101 },
  { mode: 'multicast', hosts: 3, vni: 4102 },
  { mode: 'static-fdb', hosts: 3, vni: 4103, endpointsPerHost: 2 },
] as const;

describe('labs in every mode', () => {
  const run = new CommandRunner();
  let d: LabDaemon;

  beforeAll(async () => {
    d = await LabDaemon.start();
  });

  afterAll(async () => {
    await d?.teardown();
  });

  describe.each(MODES)('$mode lab with $hosts hosts', (spec) => {
    let before: Awaited<ReturnType<typeof snapshot>>;
    let lab: LabRecord;

    it('should build, watch every host and pass the probe matrix', async () => {
      before = await snapshot(d.prefix);
      lab = await d.client.create(spec);
      const eph = 'endpointsPerHost' in spec ? spec.endpointsPerHost : 1;
      expect(lab).toMatchObject({ state: 'ready', prefix: d.prefix, spec: { mode: spec.mode, hosts: spec.hosts, vni: spec.vni, endpointsPerHost: eph } });
      expect(lab.hosts).toHaveLength(spec.hosts);
      const during = await snapshot(d.prefix);
      expect(during.namespaces).toEqual([...lab.namespaces].sort());
      expect(Object.keys(during.links).sort()).toEqual(during.namespaces);
      expect(during.links[lab.hosts[0].netns]).toMatch(/ vxlan0: .* master obr0 /);
      expect(existsSync(path.join(d.recordsDir, `${lab.id}.json`))).toBe(true);

      for (const h of lab.hosts) {
        const links = await waitFor(`vxlan0 of ${h.netns} in /api/links`, async () => {
          const l = await d.client.links(h.netns);
          return l.vxlan.some((v) => v.name === h.vxlan && v.up) ? l : undefined;
        });
        const vx = links.vxlan.find((v) => v.name === h.vxlan);
        expect(vx).toMatchObject({ vni: spec.vni, local: h.underlayIp, dstport: 4789, master: h.bridge, learning: true });
        if (spec.mode === 'unicast') {
          expect(vx?.remote).toBe(lab.hosts[1 - h.index].underlayIp);
        }
        if (spec.mode === 'multicast') {
          expect(vx?.group).toBe(lab.spec.group);
        }
      }

      const r = await d.client.probe(lab.id);
      const endpoints = lab.hosts.length * eph;
      expect(r.pairs).toHaveLength(endpoints * (endpoints - 1));
      if (!r.pass) {
        throw new Error(`probe failed:\n${describeProbe(r)}`);
      }
      for (const p of r.pairs) {
        expect(p).toMatchObject({ sent: 3, received: 3, arp: 'resolved', pass: true });
        expect(p.rttMs).toBeGreaterThan(0);
      }
      // DF pings up to the overlay MTU get through; one byte more does not.
      expect(r.mtu).toHaveLength((lab.hosts.length - 1) * 4);
      for (const m of r.mtu) {
        expect(m.pass).toBe(m.fits);
        expect(m.fits).toBe(m.ipBytes <= lab.spec.mtu);
      }
    });

    it('should show on every host each remote endpoint learned behind its own VTEP, as `bridge fdb` does', async () => {
      const vtepOf = new Map(lab.hosts.flatMap((h) => h.endpoints.map((e) => [e.mac, h.underlayIp] as const)));
      for (const h of lab.hosts) {
        const remote = lab.hosts.filter((o) => o !== h).flatMap((o) => o.endpoints.map((e) => ({ mac: e.mac, dst: o.underlayIp })));
        const rows = await waitFor(`every remote endpoint learned on ${h.netns}`, async () => {
          const learned = vtepEntries(await d.client.fdb(h.netns));
          return remote.every((e) => learned.some((l) => l.mac === e.mac && l.dst === e.dst)) ? learned : undefined;
        }, 5000);
        for (const e of remote) {
          expect(rows.find((l) => l.mac === e.mac)).toMatchObject({ netns: h.netns, device: h.vxlan, dst: e.dst, vni: spec.vni, type: 'learned' });
        }
        // No endpoint MAC behind a wrong VTEP, and this host's own endpoints not behind any.
        for (const l of rows.filter((x) => vtepOf.has(x.mac))) {
          expect({ mac: l.mac, dst: l.dst }).toEqual({ mac: l.mac, dst: vtepOf.get(l.mac) });
          expect(l.dst).not.toBe(h.underlayIp);
        }

        // The kernel's own view: the same learned remotes, nothing more, nothing less.
        const api = await waitFor(`/api/fdb of ${h.netns} to match bridge fdb`, async () => {
          const kernel = (JSON.parse(await run.run('bridge', ['-n', h.netns, '-j', 'fdb', 'show', 'dev', h.vxlan])) as KernelFdb[])
            .filter((k) => k.dst !== undefined && k.flags.includes('self') && k.mac !== '00:00:00:00:00:00' && k.state !== 'permanent')
            .map((k) => `${k.mac} ${k.dst}`)
            .sort();
          const fromApi = vtepEntries(await d.client.fdb(h.netns))
            .filter((l) => l.type === 'learned')
            .map((l) => `${l.mac} ${l.dst}`)
            .sort();
          return JSON.stringify(kernel) === JSON.stringify(fromApi) ? fromApi : undefined;
        }, 3000);
        for (const e of remote) {
          expect(api).toContain(`${e.mac} ${e.dst}`);
        }
      }
    });

    it('should delete the lab (twice: idempotent) and leave namespaces and links as they were', async () => {
      await d.client.delete(lab.id);
      await d.client.delete(lab.id);
      expect((await d.client.request('GET', `/api/labs/${lab.id}`)).status).toBe(404);
      expect(await d.client.list()).toEqual([]);
      expect(existsSync(path.join(d.recordsDir, `${lab.id}.json`))).toBe(false);
      expect(await snapshot(d.prefix)).toEqual(before);
      // The daemon stopped watching the lab's hosts.
      const health = await d.daemon.get<{ collectors: { netns: string }[] }>('/healthz');
      expect(health.collectors.filter((c) => c.netns.startsWith(`${d.prefix}-`))).toEqual([]);
    });
  });
});
