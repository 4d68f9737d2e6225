/**
 * Entry point of a collector child process. The daemon starts one per watched network namespace
 * (through nsenter), so the pcap sessions and the rtnetlink sockets opened here belong to that
 * namespace, while the API stays in the daemon's. Results go back over the IPC channel.
 */
import 'reflect-metadata';

import { PcapSource } from '../capture/pcap.source';
import { NetlinkSource } from '../netlink/netlink.source';
import { Collector } from './collector';
import type { CollectorMessage, CollectorOptions, DaemonMessage } from './collector.protocol';

function send(msg: CollectorMessage): void {
  if (process.connected && process.send) {
    process.send(msg);
  }
}

function main(): void {
  if (!process.send) {
    process.stderr.write('collector: must be started by the vxscope daemon (no IPC channel)\n');
    process.exit(2);
  }
  const options = JSON.parse(process.argv[2] ?? '{}') as CollectorOptions;
  const collector = new Collector(options, new PcapSource(), new NetlinkSource(), send);
  const stop = (code: number): void => {
    collector.stop();
    // Let the last flush leave over the IPC channel before exiting.
    setTimeout(() => process.exit(code), 100);
  };
  process.on('message', (msg: DaemonMessage) => {
    switch (msg.type) {
      case 'stop':
        stop(0);
        break;
      case 'netlink.request':
        collector.handleNetlinkRequest(msg);
        break;
    }
  });
  // The daemon died or closed the channel: a collector never outlives it.
  process.on('disconnect', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  collector.start().catch((err: unknown) => {
    send({ type: 'log', level: 'error', message: `collector failed to start: ${err instanceof Error ? err.stack : String(err)}` });
    stop(1);
  });
}

main();
