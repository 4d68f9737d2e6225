import type { CommandRunner } from './command.runner';
import { removeLabNamespaces } from './lab-namespaces';
import type { LabRecordSource } from './lab-record.source';

export interface GcReport {
  readonly removedLabs: string[];
  readonly removedNamespaces: string[];
  /** Labs left alone because the daemon that made them still runs. */
  readonly keptLabs: string[];
  /** Namespaces under the lab prefix that no record lists: reported, not touched. */
  readonly unrecorded: string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `vxscope lab gc`: removes the labs whose daemon is gone (it crashed or was killed), using their
 * records; labs of a running daemon stay unless `force`.
 */
export async function collectLabGarbage(
  records: LabRecordSource,
  run: CommandRunner,
  prefix: string,
  force: boolean,
): Promise<GcReport> {
  const report: GcReport = { removedLabs: [], removedNamespaces: [], keptLabs: [], unrecorded: [] };
  const recorded = records.list();
  for (const r of recorded) {
    if (!force && r.ownerPid !== process.pid && alive(r.ownerPid)) {
      report.keptLabs.push(r.id);
      continue;
    }
    report.removedNamespaces.push(...(await removeLabNamespaces(run, r)));
    records.remove(r.id);
    report.removedLabs.push(r.id);
  }
  const known = new Set(recorded.flatMap((r) => r.namespaces));
  report.unrecorded.push(
    ...(await run.run('ip', ['netns', 'list']))
      .split('\n')
      .map((l) => l.split(' ')[0])
      .filter((n) => n.startsWith(`${prefix}-`) && !known.has(n)),
  );
  return report;
}
