import { spawn, type ChildProcess } from 'node:child_process';

/** tcpdump inside a namespace as an independent packet counter: the oracle for what crossed an interface. */
export class Tcpdump {
  private stderr = '';
  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (b: Buffer) => (this.stderr += b.toString()));
  }

  static async start(netns: string, ifname: string, filter: string): Promise<Tcpdump> {
    const child = spawn('ip', ['netns', 'exec', netns, 'tcpdump', '-i', ifname, '-n', '-q', '--immediate-mode', '-w', '/dev/null', filter], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const t = new Tcpdump(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${t.stderr}`)), 10_000);
      child.stderr?.on('data', () => {
        if (t.stderr.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`tcpdump exited (${code}): ${t.stderr}`)));
    });
    return t;
  }

  /** Stops tcpdump and returns how many packets it captured. */
  async stop(): Promise<number> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGINT');
    await exited;
    const m = /(\d+) packets? captured/.exec(this.stderr);
    if (!m) {
      throw new Error(`no packet count in tcpdump output: ${this.stderr}`);
    }
    return Number(m[1]);
  }
}
