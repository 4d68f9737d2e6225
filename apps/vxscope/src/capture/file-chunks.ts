import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Large chunks keep per-chunk overhead low; each chunk still yields to the event loop. */
export const READ_CHUNK_BYTES = 2 * 1024 * 1024;

/** fs.read() aborts the process (a native assertion) on a fractional length or position. */
function checkRange(start: number, end: number, size: number): void {
  if (!Number.isSafeInteger(start) || start < 0 || !(end === Infinity || Number.isSafeInteger(end)) || !Number.isSafeInteger(size) || size < 1) {
    throw new RangeError(`file chunks: start ${start}, end ${end} and size ${size} must be whole numbers`);
  }
}

/**
 * Bytes `start` up to `end` (exclusive; Infinity: to the end of the file) of a file in chunks,
 * through two buffers used in turn: the next chunk is read (on the thread pool) while the caller
 * works on the current one. A yielded chunk is only valid until the next step; the caller must keep
 * no view of it (the pcap parser copies a record cut between chunks). Reusing the buffers spares a
 * fresh allocation, its page faults and cold cache lines per chunk.
 */
export async function* fileChunks(file: string, start = 0, end = Infinity, size = READ_CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  checkRange(start, end, size);
  const handle = await open(file, 'r');
  const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  let position = start;
  let next = 0;
  const readNext = (): Promise<{ bytesRead: number }> | undefined =>
    position < end ? handle.read(buffers[next], 0, Math.min(size, end - position), position) : undefined;
  let pending = readNext();
  try {
    while (pending !== undefined) {
      const { bytesRead } = await pending.catch((err: unknown) => {
        // As a read stream reports it (no JS frames: the CLI prints an unknown error's stack).
        if (err instanceof Error) {
          err.stack = `${err.name}: ${err.message}`;
        }
        throw err;
      });
      pending = undefined;
      if (bytesRead === 0) {
        return;
      }
      position += bytesRead;
      const chunk = buffers[next];
      next ^= 1;
      pending = readNext();
      yield chunk.subarray(0, bytesRead);
    }
  } finally {
    await pending?.catch(() => undefined);
    await handle.close();
  }
}

/**
 * Chunks of the synchronous reader: one buffer this small stays in the CPU's cache while the kernel
 * copies into it, instead of pushing the ingest tables out (2 MiB chunks were ~5 % slower here).
 */
export const SYNC_READ_CHUNK_BYTES = 256 * 1024;

/**
 * Like `fileChunks`, with synchronous reads into one buffer. For a thread that has nothing else to do
 * while it waits and whose CPUs are all busy (a split `vxscope read`): an asynchronous read needs a
 * thread-pool thread to get a CPU first, and then the reading thread to be woken.
 */
export function* fileChunksSync(file: string, start = 0, end = Infinity, size = SYNC_READ_CHUNK_BYTES): Generator<Uint8Array> {
  checkRange(start, end, size);
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafeSlow(size);
    for (let position = start; position < end; ) {
      const bytesRead = readSync(fd, buffer, 0, Math.min(size, end - position), position);
      if (bytesRead === 0) {
        return;
      }
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    closeSync(fd);
  }
}
