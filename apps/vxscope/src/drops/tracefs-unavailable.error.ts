/** tracefs, or the skb:kfree_skb tracepoint in it, cannot be used here; `message` says why. */
export class TracefsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TracefsUnavailableError';
  }
}
