import { Injectable } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { close, constants, existsSync, open, read } from 'node:fs';
import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';

import { dropReasonValue } from './drop-reasons';
import { TracefsUnavailableError } from './tracefs-unavailable.error';

export const TRACEFS_ROOT = '/sys/kernel/tracing';
const EVENT = 'skb/kfree_skb';
/** Per-CPU ring buffer of our instance: only drop events go into it. */
const BUFFER_SIZE_KB = 1024;
/** How long the reader sleeps when trace_pipe is empty. */
const POLL_MS = 100;
const READ_BYTES = 64 * 1024;
/**
 * At most this many bytes of trace_pipe are read per second (about 25 k events): beyond that the
 * kernel's ring overflows and says how many events it lost, instead of the daemon spending a core
 * on parsing a drop storm.
 */
const READ_BUDGET_BYTES_PER_S = 4 * 1024 * 1024;

/** An open trace instance with skb:kfree_skb enabled; `stream` yields trace_pipe's bytes. */
export interface TraceSession {
  readonly instance: string;
  /** The filter in effect, or undefined when the kernel refused it (every drop is then reported). */
  readonly filter: string | undefined;
  readonly stream: Readable;
  /** Stops reading, disables the event and removes the instance. */
  close(): Promise<void>;
}

/**
 * trace_pipe opened O_NONBLOCK and read on a timer when empty: a blocking read would hold a libuv
 * pool thread until the next drop, and could not be interrupted at shutdown.
 */
class TracePipeStream extends Readable {
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  private windowStart = 0;
  private windowBytes = 0;

  constructor(private readonly fd: number) {
    super({ highWaterMark: READ_BYTES });
  }

  override _read(): void {
    if (this.reading || this.timer !== undefined) {
      return;
    }
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowBytes = 0;
    } else if (this.windowBytes >= READ_BUDGET_BYTES_PER_S) {
      this.wait(this.windowStart + 1000 - now);
      return;
    }
    this.reading = true;
    const buf = Buffer.allocUnsafe(READ_BYTES);
    read(this.fd, buf, 0, buf.length, null, (err, n) => {
      this.reading = false;
      if (this.destroyed) {
        return;
      }
      if (err && err.code !== 'EAGAIN' && err.code !== 'EWOULDBLOCK') {
        this.destroy(err);
      } else if (err || n === 0) {
        this.wait(POLL_MS);
      } else {
        this.windowBytes += n;
        if (this.push(buf.subarray(0, n))) {
          this._read();
        }
      }
    });
  }

  private wait(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this._read();
    }, ms);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    close(this.fd, () => callback(error));
  }
}

function openNonBlocking(file: string): Promise<number> {
  return new Promise((resolve, reject) => open(file, constants.O_RDONLY | constants.O_NONBLOCK, (err, fd) => (err ? reject(err) : resolve(fd))));
}

function why(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The only user of tracefs (and the only importer of `fs` for it): mounts tracefs when it is not,
 * makes a trace instance of our own so the global buffer and other tracers are untouched, enables
 * skb:kfree_skb there and streams trace_pipe.
 */
@Injectable()
export class TracefsSource {
  readonly root = TRACEFS_ROOT;

  /**
   * Opens the instance with skb:kfree_skb enabled, filtered to leave out the reasons in `filterOut`
   * (when the kernel names them and takes the filter). Throws TracefsUnavailableError saying why when
   * tracefs or the tracepoint cannot be used.
   */
  async open(instanceName: string, filterOut: readonly string[] = []): Promise<TraceSession> {
    await this.ensureMounted();
    const eventDir = path.join(this.root, 'events', EVENT);
    if (!existsSync(eventDir)) {
      throw new TracefsUnavailableError(`the ${EVENT.replace('/', ':')} tracepoint is not in this kernel (${eventDir} is missing)`);
    }
    const dir = path.join(this.root, 'instances', instanceName);
    if (existsSync(dir)) {
      await rmdir(dir).catch(() => undefined); // left by an earlier process with our pid
    }
    try {
      await mkdir(dir);
    } catch (err) {
      throw new TracefsUnavailableError(`cannot create the trace instance ${dir}: ${why(err)}`);
    }
    try {
      await writeFile(path.join(dir, 'buffer_size_kb'), String(BUFFER_SIZE_KB)).catch(() => undefined);
      const filter = await this.setFilter(dir, filterOut);
      await writeFile(path.join(dir, 'events', EVENT, 'enable'), '1');
      const fd = await openNonBlocking(path.join(dir, 'trace_pipe'));
      const stream = new TracePipeStream(fd);
      return { instance: dir, filter, stream, close: () => this.closeInstance(dir, stream) };
    } catch (err) {
      await rmdir(dir).catch(() => undefined);
      throw new TracefsUnavailableError(`cannot enable ${EVENT.replace('/', ':')} in ${dir}: ${why(err)}`);
    }
  }

  /** Removes instances `<prefix><pid>` whose process is gone (a daemon killed before it could clean up). */
  async removeStale(prefix: string, alive: (pid: number) => boolean): Promise<string[]> {
    const dir = path.join(this.root, 'instances');
    const names = await readdir(dir).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names) {
      const m = name.startsWith(prefix) ? /^(\d+)$/.exec(name.slice(prefix.length)) : null;
      if (m && !alive(Number(m[1]))) {
        await writeFile(path.join(dir, name, 'events', EVENT, 'enable'), '0').catch(() => undefined);
        if (await rmdir(path.join(dir, name)).then(() => true, () => false)) {
          removed.push(name);
        }
      }
    }
    return removed;
  }

  private async ensureMounted(): Promise<void> {
    if (existsSync(path.join(this.root, 'instances'))) {
      return;
    }
    if (!existsSync(this.root)) {
      throw new TracefsUnavailableError(`${this.root} does not exist (no tracefs in this kernel, or /sys is not mounted)`);
    }
    try {
      await new Promise<void>((resolve, reject) =>
        execFile('mount', ['-t', 'tracefs', 'nodev', this.root], { timeout: 10_000 }, (err, _out, stderr) => (err ? reject(new Error(stderr.trim() || err.message)) : resolve())),
      );
    } catch (err) {
      throw new TracefsUnavailableError(`tracefs is not mounted at ${this.root} and mounting it failed: ${why(err)}`);
    }
    if (!existsSync(path.join(this.root, 'instances'))) {
      throw new TracefsUnavailableError(`tracefs at ${this.root} has no instances directory`);
    }
  }

  /** `reason != N && …` for the reasons named in `filterOut` that the format file knows, if the kernel takes the filter. */
  private async setFilter(dir: string, filterOut: readonly string[]): Promise<string | undefined> {
    const format = await readFile(path.join(this.root, 'events', EVENT, 'format'), 'utf8').catch(() => '');
    const values = filterOut.map((name) => dropReasonValue(format, name)).filter((v): v is number => v !== undefined);
    if (values.length === 0) {
      return undefined;
    }
    const filter = values.map((v) => `reason != ${v}`).join(' && ');
    return writeFile(path.join(dir, 'events', EVENT, 'filter'), filter).then(
      () => filter,
      () => undefined,
    );
  }

  private async closeInstance(dir: string, stream: Readable): Promise<void> {
    await new Promise<void>((resolve) => {
      if (stream.destroyed) {
        resolve();
        return;
      }
      stream.once('close', () => resolve());
      stream.destroy();
    });
    await writeFile(path.join(dir, 'events', EVENT, 'enable'), '0').catch(() => undefined);
    await rmdir(dir).catch(() => undefined);
  }
}
