import { Injectable } from '@nestjs/common';
import { ChildProcess, spawn } from 'node:child_process';

/** Starts child processes with an IPC channel; the only place the daemon spawns collectors. */
@Injectable()
export class ProcessSource {
  spawnWithIpc(command: string, args: readonly string[]): ChildProcess {
    return spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
  }
}
