import { Logger } from '@nestjs/common';
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

import type { AppConfig } from '../config/app-config';
import { EventBus } from '../events/event-bus.service';
import { NetlinkError } from '../netlink/netlink-error';
import type { CollectorMessage, DaemonMessage } from './collector.protocol';
import { CollectorService } from './collector.service';

class FakeChild extends EventEmitter {
  static nextPid = 1000;
  readonly pid = FakeChild.nextPid++;
  readonly stderr = new EventEmitter();
  readonly sent: DaemonMessage[] = [];
  connected = true;
  exitCode: number | null = null;

  constructor(readonly args: readonly string[]) {
    super();
  }

  send(msg: DaemonMessage, callback?: (error: Error | null) => void): boolean {
    this.sent.push(msg);
    callback?.(null);
    return true;
  }

  kill(signal: NodeJS.Signals): boolean {
    this.exit(null, signal);
    return true;
  }

  /** What the collector would send over IPC. */
  reply(msg: CollectorMessage): void {
    this.emit('message', msg);
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    this.connected = false;
    this.exitCode = code ?? 128;
    this.emit('exit', code, signal);
  }
}

class FakeProcessSource {
  readonly children: FakeChild[] = [];
  spawnWithIpc(_command: string, args: readonly string[]): ChildProcess {
    const child = new FakeChild(args);
    this.children.push(child);
    return child as unknown as ChildProcess;
  }
  get last(): FakeChild {
    return this.children[this.children.length - 1];
  }
}

const config = {
  netns: ['ns1'],
  interfaces: [],
  ports: [4789],
  snaplen: 256,
  bufferTimeoutMs: 100,
  flushIntervalMs: 250,
} as unknown as AppConfig;

describe(CollectorService.name, () => {
  let sut: CollectorService;
  let processes: FakeProcessSource;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    processes = new FakeProcessSource();
    sut = new CollectorService(config, processes, new EventBus());
    sut.onModuleInit();
  });

  afterEach(() => {
    sut.onApplicationShutdown();
    jest.useRealTimers();
  });

  const ready = (child = processes.last): void => child.reply({ type: 'ready', pid: child.pid });

  it('should start the collector inside the namespace through nsenter', () => {
    expect(processes.children).toHaveLength(1);
    expect(processes.last.args[0]).toBe('--net=/var/run/netns/ns1');
    expect(sut.status()).toEqual([{ netns: 'ns1', state: 'starting', pid: processes.last.pid, restarts: 0 }]);
  });

  it('should refuse requests until the collector is ready, and resolve waitRunning on ready', async () => {
    await expect(sut.request('ns1', 'createBridge', { name: 'obr0' })).rejects.toThrow(
      'createBridge: the collector for netns ns1 is not running (starting)',
    );
    await expect(sut.request('nsX', 'deleteLink', { ifindex: 3 })).rejects.toThrow('not running (not watched)');
    const running = sut.waitRunning('ns1', 5000);
    ready();
    await expect(running).resolves.toBeUndefined();
    await expect(sut.waitRunning('ns1', 5000)).resolves.toBeUndefined();
    expect(processes.last.sent).toEqual([]);
  });

  it('should send each request with its own id and resolve with the matching reply', async () => {
    ready();
    const bridge = sut.request('ns1', 'createBridge', { name: 'obr0' });
    const up = sut.request('ns1', 'setLink', { ifindex: 7, up: true, master: null });
    const [first, second] = processes.last.sent;
    expect(first).toEqual({
      type: 'netlink.request',
      id: expect.any(Number),
      op: 'createBridge',
      args: { name: 'obr0' },
    });
    expect(second).toEqual({
      type: 'netlink.request',
      id: expect.any(Number),
      op: 'setLink',
      args: { ifindex: 7, up: true, master: null },
    });
    const id = (m: DaemonMessage): number => (m.type === 'netlink.request' ? m.id : -1);
    expect(id(first)).not.toBe(id(second));

    processes.last.reply({ type: 'netlink.reply', id: id(second), ok: true });
    processes.last.reply({ type: 'netlink.reply', id: id(first), ok: true, result: 7 });
    await expect(bridge).resolves.toBe(7);
    await expect(up).resolves.toBeUndefined();
  });

  it("should reject with the collector's NetlinkError, or a plain Error without an errno code", async () => {
    ready();
    const duplicate = sut.request('ns1', 'createBridge', { name: 'obr0' });
    const other = sut.request('ns1', 'deleteLink', { ifindex: 3 });
    const [first, second] = processes.last.sent.map((m) => (m.type === 'netlink.request' ? m.id : -1));
    const error = 'createBridge obr0: EEXIST (file already exists)';
    processes.last.reply({
      type: 'netlink.reply',
      id: first,
      ok: false,
      error,
      op: 'createBridge',
      code: 'EEXIST',
      errno: 17,
    });
    processes.last.reply({ type: 'netlink.reply', id: second, ok: false, error: 'the collector is stopping' });

    const nack = await duplicate.catch((e: unknown) => e);
    expect(nack).toBeInstanceOf(NetlinkError);
    expect(nack).toMatchObject({ message: error, op: 'createBridge', code: 'EEXIST', errno: 17 });
    const plain = await other.catch((e: unknown) => e);
    expect(plain).not.toBeInstanceOf(NetlinkError);
    expect(plain).toEqual(new Error('the collector is stopping'));
  });

  it('should reject what is pending when the collector dies, and restart it', async () => {
    jest.useFakeTimers();
    ready();
    const dying = processes.last;
    const pending = sut.request('ns1', 'addAddress', { ifindex: 2, cidr: '10.0.0.1/24' });
    dying.stderr.emit('data', Buffer.from('fake collector: Aborted\n'));
    dying.exit(null, 'SIGABRT');
    await expect(pending).rejects.toThrow(
      'addAddress: the collector for netns ns1 ended (signal SIGABRT: fake collector: Aborted) before answering',
    );
    expect(sut.status()[0]).toMatchObject({ state: 'exited', restarts: 1 });

    const restarted = sut.waitRunning('ns1', 5000);
    await jest.advanceTimersByTimeAsync(100);
    expect(processes.children).toHaveLength(2);
    ready();
    await expect(restarted).resolves.toBeUndefined();
    // A late reply from the dead child's request settles nothing.
    processes.last.reply({ type: 'netlink.reply', id: 1, ok: true });
  });

  it('should time out a request the collector does not answer', async () => {
    jest.useFakeTimers();
    ready();
    const pending = sut.request('ns1', 'deleteFdb', { ifindex: 3, mac: '00:00:00:00:00:00' }, 1000);
    const outcome = pending.catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await outcome).toEqual(new Error('deleteFdb: the collector for netns ns1 did not answer within 1000 ms'));
  });

  it('should give up waiting for a collector that does not start, or stops being watched', async () => {
    jest.useFakeTimers();
    await expect(sut.waitRunning('nsX', 1000)).rejects.toThrow('netns nsX is not watched');
    const slow = sut.waitRunning('ns1', 1000).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await slow).toEqual(new Error('the collector for netns ns1 is not running after 1000 ms: starting'));

    const dropped = sut.waitRunning('ns1', 1000);
    sut.unwatch('ns1');
    await expect(dropped).rejects.toThrow('netns ns1 is no longer watched');
    expect(processes.last.sent).toEqual([{ type: 'stop' }]);
  });
});
