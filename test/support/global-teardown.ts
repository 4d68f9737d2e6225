import { execFileSync } from 'node:child_process';

/** Last line of defence: remove every namespace this run made, even if a suite's own teardown did not run. */
export default function globalTeardown(): void {
  const prefix = process.env.VXSCOPE_TEST_PREFIX;
  if (!prefix) {
    return;
  }
  const names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(`${prefix}-`));
  for (const ns of names) {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    execFileSync('ip', ['netns', 'del', ns]);
  }
}
