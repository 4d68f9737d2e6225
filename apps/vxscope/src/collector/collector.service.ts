import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';

import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventBus } from '../events/event-bus.service';
import type { CollectorState, NetnsLabel } from '../events/events';
import { NetlinkError } from '../netlink/netlink-error';
import type { CollectorMessage, CollectorOptions, DaemonMessage, NetlinkOp, NetlinkOps, NetlinkReply, NetlinkRequest } from './collector.protocol';
import { ProcessSource } from './process.source';

export const SELF_NETNS: NetnsLabel = 'self';
/**
 * A collector that dies is restarted at once, then with a growing delay. netlink 0.3.0 aborts the
 * process when the kernel overflows its socket (ENOBUFS), so a quick restart, whose fresh dump the
 * topology diffs against what it had, is also the resync after an overflow.
 */
const RESTART_DELAYS_MS = [100, 500, 1000, 2000, 5000];
/** How long request() waits for the collector's answer; NetlinkSource gives the kernel 10 s per request. */
const NETLINK_REQUEST_TIMEOUT_MS = 12_000;

export interface CollectorStatus {
  readonly netns: NetnsLabel;
  readonly state: CollectorState;
  readonly pid?: number;
  readonly restarts: number;
  readonly lastError?: string;
}

interface PendingRequest {
  readonly op: NetlinkOp;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (result: number | undefined) => void;
  readonly reject: (error: Error) => void;
}

interface Supervised {
  status: CollectorStatus;
  startedAt: number;
  quickDeaths: number;
  child?: ChildProcess;
  timer?: NodeJS.Timeout;
  /** netlink requests sent to the current child, by id. */
  readonly pending: Map<number, PendingRequest>;
  /** waitRunning() callers, settled by the next 'ready' (or by unwatch/shutdown). */
  readonly readyWaiters: Set<{ resolve: () => void; reject: (error: Error) => void }>;
}

/** The netns file for a name or path: names are looked up where `ip netns` keeps them. */
export function netnsPath(netns: string): string {
  return netns.startsWith('/') ? netns : `/var/run/netns/${netns}`;
}

/**
 * Starts one collector per watched namespace, restarts it when it dies, and turns its messages into
 * typed events on the bus.
 */
@Injectable()
export class CollectorService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CollectorService.name);
  private readonly collectors = new Map<NetnsLabel, Supervised>();
  private shuttingDown = false;
  private lastRequestId = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly processes: ProcessSource,
    private readonly bus: EventBus,
  ) {}

  onModuleInit(): void {
    const targets = this.config.netns.length > 0 ? this.config.netns : [SELF_NETNS];
    for (const netns of targets) {
      this.watch(netns);
    }
  }

  /** Starts watching a namespace (idempotent). */
  watch(netns: NetnsLabel): void {
    if (this.collectors.has(netns)) {
      return;
    }
    const sup: Supervised = {
      status: { netns, state: 'starting', restarts: 0 },
      startedAt: Date.now(),
      quickDeaths: 0,
      pending: new Map(),
      readyWaiters: new Set(),
    };
    this.collectors.set(netns, sup);
    this.start(sup);
  }

  /** Stops watching a namespace and forgets it. */
  unwatch(netns: NetnsLabel): void {
    const sup = this.collectors.get(netns);
    if (!sup) {
      return;
    }
    this.collectors.delete(netns);
    this.rejectWaiters(sup, `netns ${netns} is no longer watched`);
    this.stopChild(sup);
  }

  status(): CollectorStatus[] {
    return [...this.collectors.values()].map((s) => s.status);
  }

  /** Resolves once the collector for `netns` has sent 'ready' (at once if it is running). */
  waitRunning(netns: NetnsLabel, timeoutMs: number): Promise<void> {
    const sup = this.collectors.get(netns);
    if (!sup) {
      return Promise.reject(new Error(`netns ${netns} is not watched`));
    }
    if (sup.status.state === 'running') {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        sup.readyWaiters.delete(waiter);
        const why = sup.status.lastError ? ` (last error: ${sup.status.lastError})` : '';
        reject(new Error(`the collector for netns ${netns} is not running after ${timeoutMs} ms: ${sup.status.state}${why}`));
      }, timeoutMs);
      sup.readyWaiters.add(waiter);
    });
  }

  /**
   * Runs one rtnetlink change in `netns` through its collector (NetlinkSource's method `op`) and
   * resolves with its result (the new ifindex for create ops). Rejects with the NetlinkError the
   * kernel's NACK became, or an Error when the collector is not running, dies first, or does not
   * answer within `timeoutMs`.
   */
  request<K extends NetlinkOp>(
    netns: NetnsLabel,
    op: K,
    args: NetlinkOps[K]['args'],
    timeoutMs = NETLINK_REQUEST_TIMEOUT_MS,
  ): Promise<NetlinkOps[K]['result']> {
    const sup = this.collectors.get(netns);
    const child = sup?.child;
    if (!sup || !child || sup.status.state !== 'running' || !child.connected) {
      const state = sup ? sup.status.state : 'not watched';
      return Promise.reject(new Error(`${op}: the collector for netns ${netns} is not running (${state})`));
    }
    const id = ++this.lastRequestId;
    return new Promise<number | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        sup.pending.delete(id);
        reject(new Error(`${op}: the collector for netns ${netns} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      sup.pending.set(id, { op, timer, resolve, reject });
      const message = { type: 'netlink.request', id, op, args } as NetlinkRequest;
      child.send(message satisfies DaemonMessage, (error) => {
        if (error) {
          this.settle(sup, id, (p) => p.reject(new Error(`${op}: cannot reach the collector for netns ${netns}: ${error.message}`)));
        }
      });
    });
  }

  onApplicationShutdown(): void {
    this.shuttingDown = true;
    for (const sup of this.collectors.values()) {
      this.rejectWaiters(sup, 'the daemon is shutting down');
      this.stopChild(sup);
    }
  }

  private start(sup: Supervised): void {
    const netns = sup.status.netns;
    const options: CollectorOptions = {
      interfaces: this.config.interfaces,
      ports: this.config.ports,
      snaplen: this.config.snaplen,
      bufferTimeoutMs: this.config.bufferTimeoutMs,
      flushIntervalMs: this.config.flushIntervalMs,
      ...(this.config.resyncIntervalMs !== undefined && { resyncIntervalMs: this.config.resyncIntervalMs }),
    };
    const script = path.join(__dirname, 'collector.main.js');
    const nodeArgs = [script, JSON.stringify(options)];
    const child =
      netns === SELF_NETNS
        ? this.processes.spawnWithIpc(process.execPath, nodeArgs)
        : this.processes.spawnWithIpc('nsenter', [`--net=${netnsPath(netns)}`, '--', process.execPath, ...nodeArgs]);
    sup.child = child;
    sup.startedAt = Date.now();
    this.setStatus(sup, { state: 'starting', pid: child.pid });

    let lastStderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      const lines = chunk.toString().trim().split('\n');
      lastStderr = lines[lines.length - 1] || lastStderr;
    });
    child.on('message', (msg: CollectorMessage) => this.onMessage(sup, msg));
    child.on('error', (err) => this.setStatus(sup, { state: 'exited', lastError: err.message }));
    child.on('exit', (code, signal) => {
      sup.child = undefined;
      const why = `${signal ? `signal ${signal}` : `exit code ${code}`}${lastStderr ? `: ${lastStderr}` : ''}`;
      for (const id of [...sup.pending.keys()]) {
        this.settle(sup, id, (p) => p.reject(new Error(`${p.op}: the collector for netns ${netns} ended (${why}) before answering`)));
      }
      if (this.shuttingDown || !this.collectors.has(netns)) {
        this.setStatus(sup, { state: 'exited', pid: undefined });
        return;
      }
      // Back off only while it keeps dying young; a collector that ran for a minute starts the count afresh.
      const ranMs = Date.now() - sup.startedAt;
      sup.quickDeaths = ranMs < 60_000 ? sup.quickDeaths + 1 : 1;
      const delay = RESTART_DELAYS_MS[Math.min(sup.quickDeaths - 1, RESTART_DELAYS_MS.length - 1)];
      this.logger.warn(`collector for netns ${netns} ended (${why}); restarting in ${delay} ms`);
      this.setStatus(sup, { state: 'exited', pid: undefined, lastError: why, restarts: sup.status.restarts + 1 });
      sup.timer = setTimeout(() => this.start(sup), delay);
    });
  }

  private stopChild(sup: Supervised): void {
    if (sup.timer) {
      clearTimeout(sup.timer);
    }
    const child = sup.child;
    if (child && child.exitCode === null) {
      if (child.connected) {
        child.send({ type: 'stop' } satisfies DaemonMessage);
      }
      const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
      kill.unref();
      child.once('exit', () => clearTimeout(kill));
    }
  }

  private settle(sup: Supervised, id: number, how: (pending: PendingRequest) => void): void {
    const pending = sup.pending.get(id);
    if (pending) {
      sup.pending.delete(id);
      clearTimeout(pending.timer);
      how(pending);
    }
  }

  private onReply(sup: Supervised, reply: NetlinkReply): void {
    if (!sup.pending.has(reply.id)) {
      this.logger.warn(`netns ${sup.status.netns}: netlink reply ${reply.id} came after its request timed out`);
      return;
    }
    this.settle(sup, reply.id, (p) => {
      if (reply.ok) {
        p.resolve(reply.result);
      } else if (reply.code !== undefined) {
        p.reject(new NetlinkError(reply.op ?? p.op, reply.code, reply.errno, reply.error));
      } else {
        p.reject(new Error(reply.error));
      }
    });
  }

  private rejectWaiters(sup: Supervised, why: string): void {
    for (const waiter of sup.readyWaiters) {
      waiter.reject(new Error(why));
    }
    sup.readyWaiters.clear();
  }

  private setStatus(sup: Supervised, patch: Partial<CollectorStatus>): void {
    sup.status = { ...sup.status, ...patch };
    this.bus.emit('collector.status', {
      netns: sup.status.netns,
      state: sup.status.state,
      pid: sup.status.pid,
      message: sup.status.lastError,
    });
  }

  private onMessage(sup: Supervised, msg: CollectorMessage): void {
    const netns = sup.status.netns;
    switch (msg.type) {
      case 'ready':
        this.setStatus(sup, { state: 'running', pid: msg.pid, lastError: undefined });
        this.logger.log(`collector for netns ${netns} running (pid ${msg.pid})`);
        for (const waiter of sup.readyWaiters) {
          waiter.resolve();
        }
        sup.readyWaiters.clear();
        break;
      case 'links.snapshot':
        this.bus.emit('kernel.links', { netns, links: msg.links });
        break;
      case 'fdb.snapshot':
        this.bus.emit('kernel.fdb', { netns, entries: msg.entries });
        break;
      case 'neigh.snapshot':
        this.bus.emit('kernel.neigh', { netns, entries: msg.entries });
        break;
      case 'routes.snapshot':
        this.bus.emit('kernel.routes', { netns, routes: msg.routes });
        break;
      case 'netlink.event':
        this.bus.emit('kernel.event', { netns, event: msg.event });
        break;
      case 'capture.delta':
        this.bus.emit('capture.delta', { netns, at: msg.at, interfaces: msg.interfaces });
        break;
      case 'capture.stats':
        this.bus.emit('capture.stats', { netns, interfaces: msg.interfaces });
        break;
      case 'capture.error':
        this.logger.error(`netns ${netns}: capture on ${msg.interface} failed: ${msg.message}`);
        this.bus.emit('capture.error', { netns, interface: msg.interface, message: msg.message });
        break;
      case 'log':
        this.logger[msg.level](`[netns ${netns}] ${msg.message}`);
        break;
      case 'netlink.reply':
        this.onReply(sup, msg);
        break;
    }
  }
}
