// Runs NetlinkSource in the current network namespace and reports over stdout, one JSON object per
// line behind PROBE_PREFIX (other stdout lines, e.g. Nest logger output, are not protocol).
// Used by apps/vxscope/src/netlink/netlink.source.spec.ts:
//   ip netns exec NS node -r test/netlink/ts-register.js test/netlink/netlink-probe.ts [--recv-buffer BYTES]
// stdin commands, one per line: `snapshot`, `block MS` (stall the event loop), `exit`.
import { createInterface } from 'readline';

import { NetlinkSource } from '../../apps/vxscope/src/netlink/netlink.source';
import type { FdbEntry, LinkInfo, NeighEntry, NetlinkEvent } from '../../apps/vxscope/src/netlink/netlink.types';

export const PROBE_PREFIX = '@@probe ';

export type ProbeLine =
  | { kind: 'snapshot'; links: LinkInfo[]; fdb: FdbEntry[]; neighbours: NeighEntry[] }
  | { kind: 'ready' }
  | { kind: 'event'; event: NetlinkEvent }
  | { kind: 'blocking'; ms: number }
  | { kind: 'unblocked' }
  | { kind: 'error'; message: string };

function send(line: ProbeLine): void {
  process.stdout.write(`${PROBE_PREFIX}${JSON.stringify(line)}\n`);
}

function argValue(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

async function snapshot(source: NetlinkSource): Promise<void> {
  const [links, fdb, neighbours] = await Promise.all([source.dumpLinks(), source.dumpFdb(), source.dumpNeighbours()]);
  send({ kind: 'snapshot', links, fdb, neighbours });
}

async function main(): Promise<void> {
  const recvBuffer = argValue('--recv-buffer');
  const source = new NetlinkSource(recvBuffer === undefined ? undefined : { eventRecvBufferSize: recvBuffer });
  source.subscribe((event) => send({ kind: 'event', event }));
  await snapshot(source);
  send({ kind: 'ready' });

  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    const [command, arg] = line.trim().split(/\s+/);
    if (command === 'snapshot') {
      snapshot(source).catch((error: unknown) => send({ kind: 'error', message: String(error) }));
    } else if (command === 'block') {
      const ms = Number(arg);
      send({ kind: 'blocking', ms });
      const until = Date.now() + ms;
      while (Date.now() < until) {
        // stall on purpose: the kernel keeps queueing notifications meanwhile
      }
      send({ kind: 'unblocked' });
    } else if (command === 'exit') {
      // No process.exit(): the process must end by itself once the source is closed.
      input.close();
      process.stdin.destroy();
      source.close();
    }
  });
}

// Imported by the spec for PROBE_PREFIX and ProbeLine; runs only when started as the main script.
if (require.main === module) {
  main().catch((error: unknown) => {
    send({ kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
  });
}
