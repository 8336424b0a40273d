/**
 * The fake's gateway (plain JSON frames, no compression): HELLO, heartbeat ACKs, IDENTIFY → READY + GUILD_CREATE,
 * RESUME → the missed dispatches then RESUMED. Every session keeps a log of its dispatches with their sequence
 * numbers, so a session that lost its connection gets what it missed when it resumes. Close codes follow Discord:
 * 4000-4003, 4005 and 4008 leave the session resumable; 4004, 4007, 4009 and 4010+ end it (a RESUME then gets
 * INVALID_SESSION false and the client identifies again); a client closing with 1000/1001 ends its session. An
 * IDENTIFY asking for a privileged intent the app may not use (`disallowedIntents`) is closed with 4014.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface GatewayDispatch {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

export interface GatewaySession {
  id: string;
  intents: number;
  sequence: number;
  log: GatewayDispatch[];
  connection?: GatewayConnection;
  ended: boolean;
}

interface GatewayConnection {
  socket: WebSocket;
  session?: GatewaySession;
  /** READY + GUILD_CREATE (or RESUMED) sent and the socket still open. */
  ready: boolean;
}

export interface GatewayHooks {
  token: string;
  heartbeatIntervalMs: number;
  resumeUrl: () => string;
  /** READY's `d` for a new session. */
  readyPayload: (sessionId: string) => unknown;
  /** The GUILD_CREATE payloads sent after READY. */
  guildCreatePayloads: () => unknown[];
  /** Privileged intents the app may not use (not enabled in the Developer Portal): an IDENTIFY asking for one is closed with 4014. */
  disallowedIntents?: number;
  /** READY is sent but not GUILD_CREATE: the guilds stay unavailable (discord.js waits up to 15 s for them). */
  withholdGuilds?: boolean;
}

export interface GatewayStats {
  connections: number;
  identifies: number;
  resumes: number;
  intents: number | undefined;
}

const RESUMABLE_CLOSE_CODES = new Set([4000, 4001, 4002, 4003, 4005, 4008]);

export class FakeGateway {
  /** Every frame a client sent, in order (heartbeats included). */
  readonly received: { op: number; d: unknown; at: number }[] = [];
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<GatewayConnection>();
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly stats: GatewayStats = { connections: 0, identifies: 0, resumes: 0, intents: undefined };
  private readyWaiters: (() => void)[] = [];
  private sessionCounter = 0;

  constructor(private readonly hooks: GatewayHooks) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws));
  }

  gatewayStats(): GatewayStats {
    return { ...this.stats };
  }

  /** Sessions that receive dispatches: identified and not ended (connected, or disconnected but resumable). */
  liveSessions(): GatewaySession[] {
    return [...this.sessions.values()].filter((session) => !session.ended);
  }

  /** Sends (or, while the session is disconnected, only logs) one dispatch on `session`. */
  dispatch(session: GatewaySession, t: string, d: unknown): void {
    const frame: GatewayDispatch = { op: 0, t, s: ++session.sequence, d };
    session.log.push(frame);
    const connection = session.connection;
    if (connection && connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(frame));
  }

  /** Closes every open connection with `code` (1006: dropped without a close frame). */
  drop(code: number): void {
    for (const connection of this.connections) {
      connection.ready = false;
      const session = connection.session;
      if (session) {
        session.connection = undefined;
        if (!RESUMABLE_CLOSE_CODES.has(code)) session.ended = true;
      }
      connection.session = undefined;
      if (code === 1006) connection.socket.terminate();
      else connection.socket.close(code, 'fake Discord dropped the connection');
    }
  }

  /** Sends op 7 RECONNECT on every open connection: the client closes it and resumes, as when Discord moves a session. */
  requestReconnect(): void {
    for (const connection of this.connections) {
      connection.ready = false;
      if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify({ op: 7, s: null, t: null, d: null }));
    }
  }

  isReady(): boolean {
    return [...this.connections].some((connection) => connection.ready);
  }

  waitForReady(timeoutMs: number): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((waiter) => waiter !== onReady);
        reject(new Error(`fake Discord: no gateway session became ready within ${timeoutMs} ms (${JSON.stringify(this.stats)})`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.readyWaiters.push(onReady);
    });
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    this.connections.clear();
    for (const session of this.sessions.values()) session.ended = true;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: WebSocket): void {
    const connection: GatewayConnection = { socket, ready: false };
    this.connections.add(connection);
    this.stats.connections++;
    socket.on('message', (data, isBinary) => this.onFrame(connection, data.toString(), isBinary));
    socket.on('close', (code) => this.onClose(connection, code));
    socket.on('error', () => socket.terminate());
    socket.send(JSON.stringify({ op: 10, s: null, t: null, d: { heartbeat_interval: this.hooks.heartbeatIntervalMs } }));
  }

  private onClose(connection: GatewayConnection, code: number): void {
    this.connections.delete(connection);
    connection.ready = false;
    const session = connection.session;
    if (!session) return;
    if (session.connection === connection) session.connection = undefined;
    if (code === 1000 || code === 1001) session.ended = true;
  }

  private onFrame(connection: GatewayConnection, text: string, isBinary: boolean): void {
    let payload: { op?: unknown; d?: any };
    try {
      payload = JSON.parse(text);
    } catch {
      connection.socket.close(4002, isBinary ? 'Error while decoding payload (binary frame).' : 'Error while decoding payload.');
      return;
    }
    this.received.push({ op: Number(payload.op), d: payload.d, at: Date.now() });
    switch (payload.op) {
      case 1:
        connection.socket.send(JSON.stringify({ op: 11, s: null, t: null, d: null }));
        return;
      case 2:
        this.identify(connection, payload.d);
        return;
      case 6:
        this.resume(connection, payload.d);
        return;
      case 3: // presence update
      case 4: // voice state update
      case 8: // request guild members
        if (!connection.session) connection.socket.close(4003, 'Not authenticated.');
        return;
      default:
        connection.socket.close(4001, 'Unknown opcode.');
    }
  }

  private identify(connection: GatewayConnection, d: { token?: string; intents?: number } | undefined): void {
    if (connection.session) {
      connection.socket.close(4005, 'Already authenticated.');
      return;
    }
    if (d?.token !== this.hooks.token) {
      connection.socket.close(4004, 'Authentication failed.');
      return;
    }
    if ((d.intents ?? 0) & (this.hooks.disallowedIntents ?? 0)) {
      connection.socket.close(4014, 'Disallowed intent(s).');
      return;
    }
    this.stats.identifies++;
    this.stats.intents = d.intents;
    const session: GatewaySession = { id: `fake-session-${++this.sessionCounter}`, intents: d.intents ?? 0, sequence: 0, log: [], ended: false };
    this.sessions.set(session.id, session);
    session.connection = connection;
    connection.session = session;
    this.dispatch(session, 'READY', this.hooks.readyPayload(session.id));
    if (this.hooks.withholdGuilds) return;
    for (const guild of this.hooks.guildCreatePayloads()) this.dispatch(session, 'GUILD_CREATE', guild);
    this.markReady(connection);
  }

  private resume(connection: GatewayConnection, d: { token?: string; session_id?: string; seq?: number | null } | undefined): void {
    if (d?.token !== this.hooks.token) {
      connection.socket.close(4004, 'Authentication failed.');
      return;
    }
    const session = d.session_id ? this.sessions.get(d.session_id) : undefined;
    if (!session || session.ended || (d.seq ?? 0) > session.sequence) {
      connection.socket.send(JSON.stringify({ op: 9, s: null, t: null, d: false }));
      return;
    }
    if (session.connection && session.connection !== connection) session.connection.socket.close(4000, 'Session resumed elsewhere.');
    this.stats.resumes++;
    session.connection = connection;
    connection.session = session;
    for (const frame of session.log) if (frame.s > (d.seq ?? 0)) connection.socket.send(JSON.stringify(frame));
    this.dispatch(session, 'RESUMED', { _trace: ['fake-discord'] });
    this.markReady(connection);
  }

  private markReady(connection: GatewayConnection): void {
    connection.ready = true;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
