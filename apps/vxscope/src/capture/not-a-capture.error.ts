/** The input is not a pcap or pcapng file (wrong magic, or too short to have a header). */
export class NotACaptureError extends Error {
  override readonly name = 'NotACaptureError';

  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source} is not a pcap or pcapng capture: ${detail}`);
  }
}
