/**
 * The fake Socket Mode WebSocket: apps.connections.open hands out a one-use `ws://…/link/?ticket=…` URL; on connect
 * the server sends `hello` (num_connections, debug_info, connection_info.app_id), then envelopes
 * `{envelope_id, type, payload, accepts_response_payload, retry_attempt?, retry_reason?}` that the client acks with
 * `{envelope_id, payload?}`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

export interface SocketAck {
  envelope_id: string;
  payload?: any;
}

export interface EnvelopeOptions {
  /** events_api only: Slack's retry counter (0 on the first delivery) and reason ('timeout' on retries). */
  retryAttempt?: number;
  retryReason?: string;
  /** Default 5000: how long to wait for the client's ack. */
  ackTimeoutMs?: number;
}

interface PendingAck {
  resolve: (ack: SocketAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const LINK_PATH = '/link/';

export class FakeSocketMode {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  /** Open connections that were sent hello, oldest first. */
  private readonly sockets: WebSocket[] = [];
  private readonly pending = new Map<string, PendingAck>();
  private readonly connectionWaiters: (() => void)[] = [];
  /** Envelopes sent, in order. */
  readonly envelopes: { envelope_id: string; type: string; payload: any }[] = [];
  /** Acks received, in order. */
  readonly acks: SocketAck[] = [];
  connections = 0;

  constructor(
    private readonly appId: string,
    private readonly origin: () => string,
  ) {}

  /** A fresh one-use Socket Mode URL (what apps.connections.open answers). */
  newUrl(): string {
    const ticket = randomBytes(16).toString('hex');
    this.tickets.add(ticket);
    return `${this.origin().replace(/^http/, 'ws')}${LINK_PATH}?ticket=${ticket}&app_id=${this.appId}`;
  }

  /** Takes the HTTP upgrade when it is for the Socket Mode path; false when it is not. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://fake');
    if (url.pathname !== LINK_PATH) return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ninvalid or used ticket: call apps.connections.open for a fresh URL\n');
      return true;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
    return true;
  }

  private accept(ws: WebSocket): void {
    this.connections += 1;
    this.sockets.push(ws);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onMessage(data.toString());
    });
    ws.on('close', () => {
      const index = this.sockets.indexOf(ws);
      if (index !== -1) this.sockets.splice(index, 1);
    });
    ws.on('error', () => ws.terminate());
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.length,
        debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    for (const waiter of this.connectionWaiters.splice(0)) waiter();
  }

  private onMessage(text: string): void {
    let message: any;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message?.envelope_id !== 'string') return;
    const ack: SocketAck = { envelope_id: message.envelope_id, ...(message.payload !== undefined ? { payload: message.payload } : {}) };
    this.acks.push(ack);
    const pending = this.pending.get(ack.envelope_id);
    if (!pending) return;
    this.pending.delete(ack.envelope_id);
    clearTimeout(pending.timer);
    pending.resolve(ack);
  }

  get connected(): boolean {
    return this.sockets.some((ws) => ws.readyState === WebSocket.OPEN);
  }

  waitForConnection(timeoutMs = 5000): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.connectionWaiters.indexOf(done);
        if (index !== -1) this.connectionWaiters.splice(index, 1);
        reject(new Error(`no Socket Mode client connected within ${timeoutMs} ms (apps.connections.open must be called with the app token)`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.connectionWaiters.push(done);
    });
  }

  /** Sends an envelope on the newest open connection; resolves with the client's ack. */
  send(type: EnvelopeType, payload: any, options: EnvelopeOptions = {}): Promise<SocketAck> {
    const ws = [...this.sockets].reverse().find((socket) => socket.readyState === WebSocket.OPEN);
    if (!ws) return Promise.reject(new Error('no Socket Mode client is connected: start the app (socketMode: true) and await fake.waitForSocket() first'));
    const envelope: any = { envelope_id: randomUUID(), payload, type, accepts_response_payload: type !== 'events_api' };
    if (type === 'events_api') {
      envelope.retry_attempt = options.retryAttempt ?? 0;
      envelope.retry_reason = options.retryReason ?? (envelope.retry_attempt > 0 ? 'timeout' : '');
    }
    const timeoutMs = options.ackTimeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope.envelope_id);
        reject(new Error(`the Socket Mode client did not ack envelope ${envelope.envelope_id} (${type}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelope.envelope_id, { resolve, reject, timer });
      this.envelopes.push({ envelope_id: envelope.envelope_id, type, payload });
      ws.send(JSON.stringify(envelope));
    });
  }

  /** Asks every connected client to reconnect, as Slack does before recycling a server (`type: 'disconnect'`). */
  requestReconnect(reason = 'refresh_requested'): void {
    for (const ws of this.sockets) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
    }
  }

  close(): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error('the fake Slack was closed before the Socket Mode client acked'));
    }
    this.pending.clear();
    for (const ws of this.sockets.splice(0)) ws.terminate();
    this.server.close();
  }
}
