import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

import { DropCounter, LineSplitter } from './drop-reasons';
import { TracefsUnavailableError } from './tracefs-unavailable.error';
import { TracefsSource, type TraceSession } from './tracefs.source';

/** Our trace instances are `vxscope-<pid>`: one per daemon, so concurrent daemons never share one. */
export const INSTANCE_PREFIX = 'vxscope-';
/**
 * Left out in the kernel, before they reach the trace buffer: NOT_SPECIFIED (every drop nobody
 * annotated: most of the volume and none of the signal), OTHERHOST (frames for another MAC, which
 * promiscuous capture itself lets up to IP) and QUEUE_PURGE (socket queues emptied on close).
 */
export const FILTERED_REASONS = ['NOT_SPECIFIED', 'OTHERHOST', 'QUEUE_PURGE'] as const;

export type DropsReport =
  | {
      readonly enabled: true;
      /** Drops per kernel reason (enum skb_drop_reason), machine-wide, since `since`. */
      readonly reasons: Record<string, number>;
      readonly since: string;
      /** Events the trace buffer lost (a burst faster than we read). */
      readonly lost: number;
      /** The tracepoint filter in effect, if the kernel took it. */
      readonly filter?: string;
      /** The trace instance of this daemon (removed when it stops). */
      readonly instance: string;
    }
  | { readonly enabled: false; readonly why: string };

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Kernel drop reasons from the skb:kfree_skb tracepoint, counted per reason. The tracepoint is
 * machine-wide (not per namespace), so this runs once in the daemon. Without tracefs the feature
 * reports itself off and why; it never fails the daemon.
 */
@Injectable()
export class DropsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DropsService.name);
  private readonly counter = new DropCounter();
  private readonly splitter = new LineSplitter((line) => this.counter.line(line));
  private session: TraceSession | undefined;
  private since = new Date();
  private off: string | undefined = 'not started';

  constructor(private readonly tracefs: TracefsSource) {}

  async onModuleInit(): Promise<void> {
    try {
      const stale = await this.tracefs.removeStale(INSTANCE_PREFIX, pidAlive);
      if (stale.length > 0) {
        this.logger.log(`removed trace instances of daemons that are gone: ${stale.join(', ')}`);
      }
      const session = await this.tracefs.open(`${INSTANCE_PREFIX}${process.pid}`, FILTERED_REASONS);
      this.session = session;
      this.since = new Date();
      this.off = undefined;
      session.stream.on('data', (chunk: Buffer) => this.splitter.push(chunk));
      session.stream.on('error', (err) => {
        this.off = `reading ${session.instance}/trace_pipe failed: ${err.message}`;
        this.logger.warn(`kernel drop reasons off: ${this.off}`);
      });
      this.logger.log(`counting kernel drop reasons (skb:kfree_skb) in ${session.instance}${session.filter ? ` with filter "${session.filter}"` : ''}`);
    } catch (err) {
      this.off = err instanceof Error ? err.message : String(err);
      const level = err instanceof TracefsUnavailableError ? 'log' : 'warn';
      this.logger[level](`kernel drop reasons off: ${this.off}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    this.off = 'the daemon is shutting down';
    await s?.close().catch((err: unknown) => this.logger.warn(`could not remove ${s.instance}: ${String(err)}`));
  }

  report(): DropsReport {
    if (this.off !== undefined || this.session === undefined) {
      return { enabled: false, why: this.off ?? 'not started' };
    }
    return {
      enabled: true,
      reasons: this.counter.counts(),
      since: this.since.toISOString(),
      lost: this.counter.lost,
      instance: this.session.instance,
      ...(this.session.filter !== undefined && { filter: this.session.filter }),
    };
  }
}
