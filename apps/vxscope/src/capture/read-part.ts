import type { ReadResult } from './offline-reader';

/** One later part of a classic pcap file, read by a worker thread (`read.worker.ts`). */
export interface ReadPartJob {
  readonly file: string;
  /** The file's 24-byte header, so the part's parser knows byte order, resolution and link type. */
  readonly header: Uint8Array;
  /** Byte range of the part: `start` is a (guessed) record start; `end` exclusive. */
  readonly start: number;
  readonly end: number;
  /** The part runs to the end of the file: a record cut off there is a broken capture. */
  readonly last: boolean;
  readonly ports: readonly number[];
  readonly topK: number;
}

/** What a worker sends back. */
export type ReadPartOutcome =
  | {
      readonly ok: true;
      /** The part ended exactly on a record boundary (so its start guess for the next part holds). */
      readonly onBoundary: boolean;
      /** The part stopped at a broken record: nothing after it counts. */
      readonly broken: boolean;
      readonly result: ReadResult;
    }
  | { readonly ok: false; readonly error: string };

/** Everything a worker sends: first that it is ready for its job, then the outcome. */
export type ReadPartMessage = { readonly ready: true } | ReadPartOutcome;
