// The only test file that touches the file system and runs tools (tshark, editcap, tcpdump).
// libs/wire's lint rule bans I/O imports for the library; these are test-only.
 
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
 

export const CAPTURES_DIR = join(__dirname, '..', 'captures');

export function capturePath(name: string): string {
  return join(CAPTURES_DIR, name);
}

export function readCapture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(capturePath(name)));
}

/** Runs tshark on `file` with VXLAN also decoded on 8472 (tshark 4.0 binds only 4789); returns one line per frame. */
export function tsharkFields(file: string, fields: readonly string[], extraArgs: readonly string[] = []): string[][] {
  const args = ['-r', file, '-n', '-d', 'udp.port==8472,vxlan', '-T', 'fields', '-E', 'separator=/t', ...extraArgs];
  for (const f of fields) {
    args.push('-e', f);
  }
  const text = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

/** Runs a tool (editcap, tcpdump...) and returns its stdout. */
export function run(tool: string, args: readonly string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** A scratch directory for files written by a test; `cleanup()` removes it. */
export function scratchDir(): {
  path: (name: string) => string;
  write: (name: string, bytes: Uint8Array) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'vx-wire-'));
  return {
    path: (name) => join(dir, name),
    write: (name, bytes) => {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function readFile(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
