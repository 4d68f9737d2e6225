import { Injectable } from '@nestjs/common';
import { execFile, spawn, type ChildProcess } from 'node:child_process';

export class CommandError extends Error {
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(`${command.join(' ')} failed (exit ${exitCode}): ${stderr.trim()}`);
    this.name = 'CommandError';
  }
}

/**
 * Runs system tools (ip, bridge, nft, ping) with argument arrays, never through a shell, so no
 * argument can be read as shell syntax.
 */
@Injectable()
export class CommandRunner {
  run(command: string, args: readonly string[], timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(command, [...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) {
          const code = typeof err.code === 'number' ? err.code : null;
          reject(new CommandError([command, ...args], code, stderr || err.message, stdout));
          return;
        }
        resolve(stdout);
      });
    });
  }

  /** Runs a command with `input` on its standard input (e.g. an nftables ruleset for `nft -f -`). */
  runWithInput(command: string, args: readonly string[], input: string, timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(command, [...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
        if (err) {
          reject(new CommandError([command, ...args], typeof err.code === 'number' ? err.code : null, stderr || err.message));
          return;
        }
        resolve(stdout);
      });
      child.stdin?.end(input);
    });
  }

  /** Runs a command inside a network namespace made with `ip netns add`. */
  runIn(netns: string, command: string, args: readonly string[], timeoutMs?: number): Promise<string> {
    return this.run('ip', ['netns', 'exec', netns, command, ...args], timeoutMs);
  }

  /** Starts a long-running command inside a namespace (e.g. background ping); the caller stops it. */
  startIn(netns: string, command: string, args: readonly string[]): ChildProcess {
    return spawn('ip', ['netns', 'exec', netns, command, ...args], { stdio: 'ignore' });
  }
}
