import { PassThrough } from 'node:stream';

import { DropsService } from './drops.service';
import { TracefsUnavailableError } from './tracefs-unavailable.error';
import type { TracefsSource, TraceSession } from './tracefs.source';

class FakeTracefs {
  readonly stream = new PassThrough();
  closed = false;
  opened: [string, readonly string[]][] = [];
  constructor(private readonly fail?: Error) {}
  open(name: string, filterOut: readonly string[] = []): Promise<TraceSession> {
    this.opened.push([name, filterOut]);
    if (this.fail) {
      return Promise.reject(this.fail);
    }
    return Promise.resolve({
      instance: `/sys/kernel/tracing/instances/${name}`,
      filter: 'reason != 2',
      stream: this.stream,
      close: () => {
        this.closed = true;
        this.stream.destroy();
        return Promise.resolve();
      },
    });
  }
  removeStale(): Promise<string[]> {
    return Promise.resolve([]);
  }
}

const line = (reason: string): string => `  <idle>-0 [000] ..s2. 1.0: kfree_skb: skbaddr=0 rx_sk=0 protocol=2048 location=x+0x1/0x2 reason: ${reason}\n`;

describe(DropsService.name, () => {
  it('should count reasons from the trace stream in its own instance, and remove it on shutdown', async () => {
    const fake = new FakeTracefs();
    const sut = new DropsService(fake as unknown as TracefsSource);
    await sut.onModuleInit();
    expect(fake.opened).toEqual([[`vxscope-${process.pid}`, ['NOT_SPECIFIED', 'OTHERHOST', 'QUEUE_PURGE']]]);
    fake.stream.write(line('VXLAN_VNI_NOT_FOUND') + line('VXLAN_INVALID_HDR').slice(0, 20));
    fake.stream.write(line('VXLAN_INVALID_HDR').slice(20) + line('VXLAN_VNI_NOT_FOUND'));
    await new Promise((r) => setImmediate(r));
    expect(sut.report()).toEqual({
      enabled: true,
      reasons: { VXLAN_VNI_NOT_FOUND: 2, VXLAN_INVALID_HDR: 1 },
      since: expect.any(String),
      lost: 0,
      instance: `/sys/kernel/tracing/instances/vxscope-${process.pid}`,
      filter: 'reason != 2',
    });
    await sut.onApplicationShutdown();
    expect(fake.closed).toBe(true);
    expect(sut.report()).toEqual({ enabled: false, why: 'the daemon is shutting down' });
  });

  it('should report itself off, with why, when tracefs is not there', async () => {
    const sut = new DropsService(new FakeTracefs(new TracefsUnavailableError('tracefs is not mounted at /sys/kernel/tracing and mounting it failed: EPERM')) as unknown as TracefsSource);
    await sut.onModuleInit();
    expect(sut.report()).toEqual({ enabled: false, why: 'tracefs is not mounted at /sys/kernel/tracing and mounting it failed: EPERM' });
  });
});
