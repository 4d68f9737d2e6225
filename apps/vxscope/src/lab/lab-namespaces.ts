import type { CommandRunner } from './command.runner';
import type { LabRecord } from './lab.types';

/**
 * Removes every namespace of the record that still exists (their devices, addresses, FDB entries
 * and nftables rules go with them), after killing any process inside. Touches nothing outside the
 * record, and only names under the record's prefix and id. Idempotent. Returns what it removed.
 */
export async function removeLabNamespaces(run: CommandRunner, lab: Pick<LabRecord, 'namespaces' | 'prefix' | 'id'>): Promise<string[]> {
  const removed: string[] = [];
  const existing = new Set((await run.run('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]));
  for (const ns of [...lab.namespaces].reverse()) {
    if (!existing.has(ns) || !ns.startsWith(`${lab.prefix}-${lab.id}-`)) {
      continue;
    }
    const pids = (await run.run('ip', ['netns', 'pids', ns]).catch(() => '')).split('\n').filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await run.run('ip', ['netns', 'del', ns]);
    removed.push(ns);
  }
  return removed;
}
