/** An uploaded capture exceeded the configured size limit. */
export class CaptureTooLargeError extends Error {
  override readonly name = 'CaptureTooLargeError';

  constructor(
    readonly source: string,
    readonly limitBytes: number,
  ) {
    super(`${source} is larger than the limit of ${limitBytes} bytes`);
  }
}
