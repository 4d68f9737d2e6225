import { Injectable } from '@nestjs/common';
import { ChildProcess, spawn } from 'node:child_process';

/** Starts child processes with an IPC channel; the only place the daemon spawns collectors. */
@Injectable()
export class ProcessSource {
  /** stdout is shared with the daemon; stderr is piped so the caller can keep the child's last words. */
  spawnWithIpc(command: string, args: readonly string[]): ChildProcess {
    return spawn(command, args, { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'json' });
  }
}
