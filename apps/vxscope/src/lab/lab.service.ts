import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CollectorService } from '../collector/collector.service';
import { EventBus } from '../events/event-bus.service';
import { CommandRunner } from './command.runner';
import { LabConflictError } from './errors/lab-conflict.error';
import { LabInvalidError } from './errors/lab-invalid.error';
import { LabNotFoundError } from './errors/lab-not-found.error';
import { FAULTS } from './faults/faults';
import type { FaultContext } from './faults/fault';
import { LabNetwork } from './lab-network';
import { LabProbe, type ProbeResult } from './lab-probe';
import { LabRecordSource } from './lab-record.source';
import type { CreateLabDto, FaultDto } from './lab.dto';
import type { LabEndpoint, LabFault, LabHost, LabRecord, LabSpec } from './lab.types';

const MAX_SLOT = 250;

/** Builds, probes, breaks, repairs and removes labs; records each on disk before touching the machine. */
@Injectable()
export class LabService implements OnApplicationShutdown {
  private readonly logger = new Logger(LabService.name);
  private readonly labs = new Map<string, LabRecord>();
  private readonly busy = new Set<string>();
  private readonly processes = new Map<string, ChildProcess[]>();
  private readonly net: LabNetwork;
  private readonly prober: LabProbe;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly records: LabRecordSource,
    private readonly run: CommandRunner,
    private readonly collectors: CollectorService,
    private readonly bus: EventBus,
  ) {
    this.net = new LabNetwork(run, collectors);
    this.prober = new LabProbe(run);
  }

  list(): LabRecord[] {
    return [...this.labs.values()];
  }

  get(id: string): LabRecord {
    const lab = this.labs.get(id);
    if (!lab) {
      throw new LabNotFoundError(`lab ${id}`);
    }
    return lab;
  }

  async create(dto: CreateLabDto): Promise<LabRecord> {
    if (dto.mode === 'unicast' && dto.hosts !== 2) {
      throw new LabInvalidError('hosts', 'a unicast lab (one fixed remote per VTEP) has exactly 2 hosts');
    }
    if (dto.mode !== 'multicast' && dto.group !== undefined) {
      throw new LabInvalidError('group', 'a multicast group is only for mode "multicast"');
    }
    const endpointsPerHost = dto.endpointsPerHost ?? 1;
    const namespaces = 1 + dto.hosts * (1 + endpointsPerHost);
    if (this.labs.size >= this.config.maxLabs) {
      throw new LabConflictError(`at most ${this.config.maxLabs} labs at once (VXSCOPE_MAX_LABS)`);
    }
    const inUse = this.list().reduce((n, l) => n + l.namespaces.length, 0);
    if (inUse + namespaces > this.config.maxLabNamespaces) {
      throw new LabConflictError(`this lab needs ${namespaces} namespaces; ${inUse} of ${this.config.maxLabNamespaces} are in use (VXSCOPE_MAX_LAB_NAMESPACES)`);
    }
    const lab = this.describe(dto, endpointsPerHost);
    this.labs.set(lab.id, lab);
    this.busy.add(lab.id);
    this.records.save(lab); // before anything exists, so a crash leaves a list to clean
    this.emitChanged(lab, 'created');
    try {
      await this.net.build(lab, (step) => this.progress(lab.id, 'build', step));
      lab.state = 'ready';
      this.logger.log(`lab ${lab.id}: ${lab.spec.mode}, ${lab.hosts.length} hosts, VNI ${lab.spec.vni} ready`);
    } catch (err) {
      lab.state = 'failed';
      lab.error = err instanceof Error ? err.message : String(err);
      this.logger.error(`lab ${lab.id} failed to build: ${lab.error}`);
      this.unwatch(lab);
      await this.net.destroy(lab).catch(() => undefined);
      this.labs.delete(lab.id);
      this.records.remove(lab.id);
      this.emitChanged(lab, 'deleted');
      throw err;
    } finally {
      this.busy.delete(lab.id);
    }
    this.records.save(lab);
    this.emitChanged(lab, 'updated');
    return lab;
  }

  /** Removes the lab (idempotent: an unknown id is already gone). */
  async delete(id: string): Promise<void> {
    const lab = this.labs.get(id);
    if (!lab) {
      return;
    }
    await this.exclusive(lab, async () => {
      lab.state = 'deleting';
      this.emitChanged(lab, 'updated');
      for (const f of lab.faults) {
        this.stopProcesses(f.id);
      }
      this.unwatch(lab);
      await this.net.destroy(lab);
      this.labs.delete(id);
      this.records.remove(id);
    });
    this.emitChanged(lab, 'deleted');
  }

  async probe(id: string): Promise<ProbeResult> {
    const lab = this.get(id);
    return this.exclusive(lab, () =>
      this.prober.probe(lab, (done, total, last) => this.progress(lab.id, 'probe', last, done, total)),
    );
  }

  async addFault(id: string, dto: FaultDto): Promise<LabFault> {
    const lab = this.get(id);
    const hostIndex = dto.host ?? 0;
    if (hostIndex >= lab.hosts.length) {
      throw new LabInvalidError('host', `lab ${id} has hosts 0..${lab.hosts.length - 1}`);
    }
    if (lab.faults.some((f) => f.host === hostIndex && f.type === dto.type)) {
      throw new LabConflictError(`${dto.type} is already in place on host ${hostIndex}`);
    }
    return this.exclusive(lab, async () => {
      const faultId = `f${this.nextFaultNumber(lab)}`;
      const state = await FAULTS[dto.type].apply(this.context(lab, lab.hosts[hostIndex], faultId));
      const fault: LabFault = { id: faultId, type: dto.type, host: hostIndex, appliedAt: new Date().toISOString(), effect: FAULTS[dto.type].effect, state };
      lab.faults.push(fault);
      this.records.save(lab);
      this.progress(lab.id, 'fault', `${fault.type} on host ${hostIndex} (${FAULTS[dto.type].effect})`);
      this.emitChanged(lab, 'updated');
      return fault;
    });
  }

  async removeFault(id: string, faultId: string): Promise<void> {
    const lab = this.get(id);
    const fault = lab.faults.find((f) => f.id === faultId);
    if (!fault) {
      throw new LabNotFoundError(`fault ${faultId} of lab ${id}`);
    }
    await this.exclusive(lab, async () => {
      await FAULTS[fault.type].revert(this.context(lab, lab.hosts[fault.host], fault.id), fault.state);
      lab.faults = lab.faults.filter((f) => f !== fault);
      this.records.save(lab);
      this.progress(lab.id, 'fault', `${fault.type} on host ${fault.host} reverted`);
      this.emitChanged(lab, 'updated');
    });
  }

  faultTypes(): { type: FaultDto['type']; effect: string }[] {
    return Object.entries(FAULTS).map(([type, f]) => ({ type: type as FaultDto['type'], effect: f.effect }));
  }

  async onApplicationShutdown(): Promise<void> {
    // Labs belong to the daemon that made them: it takes them down with it.
    for (const id of [...this.labs.keys()]) {
      await this.delete(id).catch((err: unknown) => this.logger.error(`lab ${id}: ${String(err)}`));
    }
  }

  private context(lab: LabRecord, host: LabHost, faultId: string): FaultContext {
    return { lab, host, net: this.net, run: this.run, collectors: this.collectors, processes: this.processes, faultId };
  }

  private unwatch(lab: LabRecord): void {
    for (const h of lab.hosts) {
      this.collectors.unwatch(h.netns);
    }
  }

  private stopProcesses(faultId: string): void {
    for (const p of this.processes.get(faultId) ?? []) {
      p.kill('SIGKILL');
    }
    this.processes.delete(faultId);
  }

  private nextFaultNumber(lab: LabRecord): number {
    return lab.faults.reduce((n, f) => Math.max(n, Number(f.id.slice(1))), 0) + 1;
  }

  private async exclusive<T>(lab: LabRecord, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(lab.id)) {
      throw new LabConflictError(`lab ${lab.id} is busy with another operation`);
    }
    this.busy.add(lab.id);
    try {
      return await fn();
    } finally {
      this.busy.delete(lab.id);
    }
  }

  private progress(labId: string, phase: 'build' | 'probe' | 'fault', message: string, done?: number, total?: number): void {
    this.bus.emit('lab.progress', { labId, phase, message, done, total });
  }

  private emitChanged(lab: LabRecord, change: 'created' | 'updated' | 'deleted'): void {
    this.bus.emit('lab.changed', { change, lab });
  }

  /** Names, addresses and MACs for a new lab, within this daemon's prefix and a free address slot. */
  private describe(dto: CreateLabDto, endpointsPerHost: number): LabRecord {
    const recorded = this.records.list();
    const ids = new Set([...recorded.map((r) => r.id), ...this.labs.keys()]);
    let id: string;
    do {
      id = randomBytes(2).toString('hex');
    } while (ids.has(id));
    const slots = new Set([...recorded.map((r) => r.slot), ...this.list().map((l) => l.slot)]);
    let slot = 1;
    while (slots.has(slot)) {
      slot++;
    }
    if (slot > MAX_SLOT) {
      throw new LabConflictError('no free address slot: remove old labs (vxscope lab gc)');
    }
    const base = `${this.config.labPrefix}-${id}`;
    const spec: LabSpec = {
      mode: dto.mode,
      hosts: dto.hosts,
      vni: dto.vni,
      port: dto.port ?? 4789,
      mtu: dto.mtu ?? 1450,
      endpointsPerHost,
      learning: dto.learning ?? true,
      group: dto.mode === 'multicast' ? (dto.group ?? `239.1.1.${slot}`) : undefined,
    };
    const hex = (n: number): string => n.toString(16).padStart(2, '0');
    const hosts: LabHost[] = Array.from({ length: dto.hosts }, (_, h) => {
      const endpoints: LabEndpoint[] = Array.from({ length: endpointsPerHost }, (_, e) => ({
        index: e,
        netns: `${base}-h${h + 1}e${e + 1}`,
        ifname: 'eth0',
        hostIf: `ve${e + 1}`,
        ip: `172.30.${slot}.${h * 16 + e + 1}`,
        // Locally administered, and telling: 02:5c:<slot>:<host>:<endpoint>:01.
        mac: `02:5c:${hex(slot)}:${hex(h + 1)}:${hex(e + 1)}:01`,
      }));
      return {
        index: h,
        netns: `${base}-h${h + 1}`,
        underlayIf: 'u0',
        underlayIp: `10.254.${slot}.${h + 1}`,
        switchPort: `p${h + 1}`,
        bridge: 'obr0',
        vxlan: 'vxlan0',
        endpoints,
      };
    });
    const switchNetns = `${base}-sw`;
    return {
      id,
      prefix: this.config.labPrefix,
      ownerPid: process.pid,
      createdAt: new Date().toISOString(),
      spec,
      slot,
      underlaySubnet: `10.254.${slot}.0/24`,
      overlaySubnet: `172.30.${slot}.0/24`,
      switchNetns,
      hosts,
      namespaces: [switchNetns, ...hosts.flatMap((h) => [h.netns, ...h.endpoints.map((e) => e.netns)])],
      state: 'building',
      faults: [],
    };
  }
}
