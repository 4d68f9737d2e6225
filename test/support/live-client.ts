import WebSocket from 'ws';

export interface LiveMsg {
  type: string;
  at: number;
  data: any;
}

/** A real WebSocket client on /ws that keeps every message with the time it arrived. */
export class LiveClient {
  readonly messages: (LiveMsg & { receivedAt: number })[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw: WebSocket.RawData) => {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string
      this.messages.push({ ...(JSON.parse(raw.toString()) as LiveMsg), receivedAt: Date.now() });
    });
  }

  static connect(url: string): Promise<LiveClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new LiveClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  find(pred: (m: LiveMsg) => boolean): (LiveMsg & { receivedAt: number }) | undefined {
    return this.messages.find(pred);
  }

  close(): void {
    this.ws.terminate();
  }
}
