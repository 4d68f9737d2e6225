import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { WebSocket, type Server } from 'ws';

import { EventBus } from '../events/event-bus.service';
import { toFlapDto } from '../topology/topology.dto';
import { TopologyService } from '../topology/topology.service';
import type { LiveMessage, LiveMessageMap, LiveMessageType } from './live.messages';

/** Kernel changes are pushed in small batches so that a burst of FDB churn is a few messages, not thousands. */
const CHANGE_BATCH_MS = 100;
/** A client this far behind is dropped (it reconnects and re-reads the API) rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const VERSION = '0.1.0';

@WebSocketGateway({ path: '/ws' })
export class LiveGateway implements OnGatewayInit, OnGatewayConnection, OnApplicationShutdown {
  private readonly logger = new Logger(LiveGateway.name);
  @WebSocketServer() private server!: Server;
  private fdbBatch: LiveMessageMap['fdb.changes']['changes'][number][] = [];
  private linkBatch: LiveMessageMap['link.changes']['changes'][number][] = [];
  private neighBatch: LiveMessageMap['neigh.changes']['changes'][number][] = [];
  private detectionBatch: LiveMessageMap['detections']['detections'][number][] = [];
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly bus: EventBus,
    private readonly topology: TopologyService,
  ) {}

  afterInit(): void {
    this.unsubscribe.push(
      this.bus.on('vni.rates', ({ at, rates }) => this.broadcast('vni.rates', { rates }, at)),
      this.bus.on('fdb.changed', ({ netns, change, entry, previous }) => {
        this.fdbBatch.push({
          netns,
          change,
          entry: this.topology.describeFdb(netns, entry),
          previous: previous ? this.topology.describeFdb(netns, previous) : undefined,
        });
        this.scheduleBatch();
      }),
      this.bus.on('link.changed', ({ netns, change, link }) => {
        this.linkBatch.push({ netns, change, link: this.topology.describeLink(netns, link) });
        this.scheduleBatch();
      }),
      this.bus.on('neigh.changed', ({ netns, change, entry, previous }) => {
        this.neighBatch.push({
          netns,
          change,
          neighbor: this.topology.describeNeighbor(netns, entry),
          previous: previous ? this.topology.describeNeighbor(netns, previous) : undefined,
        });
        this.scheduleBatch();
      }),
      this.bus.on('fdb.flap', (flap) => this.broadcast('fdb.flap', toFlapDto(flap))),
      this.bus.on('fdb.flap.cleared', (flap) => this.broadcast('fdb.flap.cleared', toFlapDto(flap))),
      this.bus.on('detection', (d) => {
        this.detectionBatch.push(d);
        this.scheduleBatch();
      }),
      this.bus.on('collector.status', (status) => this.broadcast('collector.status', status)),
      this.bus.on('lab.changed', (e) => this.broadcast('lab.changed', e)),
      this.bus.on('lab.progress', (e) => this.broadcast('lab.progress', e)),
    );
  }

  handleConnection(client: WebSocket): void {
    this.send(client, { type: 'hello', at: Date.now(), data: { version: VERSION, rateIntervalMs: 1000 } });
  }

  onApplicationShutdown(): void {
    this.unsubscribe.forEach((u) => u());
    if (this.batchTimer) {
      clearTimeout(this.batchTimer);
    }
  }

  private scheduleBatch(): void {
    this.batchTimer ??= setTimeout(() => {
      this.batchTimer = undefined;
      if (this.linkBatch.length > 0) {
        this.broadcast('link.changes', { changes: this.linkBatch });
        this.linkBatch = [];
      }
      if (this.fdbBatch.length > 0) {
        this.broadcast('fdb.changes', { changes: this.fdbBatch });
        this.fdbBatch = [];
      }
      if (this.neighBatch.length > 0) {
        this.broadcast('neigh.changes', { changes: this.neighBatch });
        this.neighBatch = [];
      }
      if (this.detectionBatch.length > 0) {
        this.broadcast('detections', { detections: this.detectionBatch });
        this.detectionBatch = [];
      }
    }, CHANGE_BATCH_MS);
  }

  private broadcast<K extends LiveMessageType>(type: K, data: LiveMessageMap[K], at = Date.now()): void {
    if (!this.server) {
      return;
    }
    const text = JSON.stringify({ type, at, data } satisfies LiveMessage<K>);
    for (const client of this.server.clients) {
      this.sendText(client, text);
    }
  }

  private send(client: WebSocket, msg: LiveMessage): void {
    this.sendText(client, JSON.stringify(msg));
  }

  private sendText(client: WebSocket, text: string): void {
    if (client.readyState !== WebSocket.OPEN) {
      return;
    }
    if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.logger.warn('a live client fell too far behind; closing it');
      client.terminate();
      return;
    }
    client.send(text);
  }
}
