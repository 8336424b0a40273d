/**
 * Real @slack/bolt Apps wired to a FakeSlack, for the fake's self-tests (and any test that wants a bare Bolt app):
 * HTTP mode on an ephemeral port (`receiverUrl` = its /slack/events) or Socket Mode, with Web API retries off and a
 * logger that keeps Bolt's warnings and errors in `logged` instead of printing them.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver, type Logger } from '@slack/bolt';
import type { FakeSlack } from './fake-slack.ts';

export interface TestBoltApp {
  app: App;
  /** HTTP mode: http://127.0.0.1:PORT/slack/events. */
  receiverUrl: string;
  /** Bolt's warnings and errors, e.g. 'error: Failed to verify authenticity …'. */
  logged: string[];
  stop(): Promise<void>;
}

function recordingLogger(logged: string[]): Logger {
  let level = LogLevel.WARN;
  let name = 'bolt';
  const keep = (prefix: string) => (...messages: unknown[]) => {
    logged.push(`${prefix}: ${messages.map((message) => (message instanceof Error ? message.message : String(message))).join(' ')}`);
  };
  return {
    debug: () => {},
    info: () => {},
    warn: keep('warn'),
    error: keep('error'),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: (next) => {
      name = next;
      void name;
    },
  };
}

/** A Bolt App in HTTP mode (processBeforeResponse false); `register` adds listeners before it starts. */
export async function startHttpApp(fake: FakeSlack, register: (app: App) => void): Promise<TestBoltApp> {
  const logged: string[] = [];
  const app = new App({
    token: fake.botToken,
    signingSecret: fake.signingSecret,
    logger: recordingLogger(logged),
    processBeforeResponse: false,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
  });
  register(app);
  const server = (await app.start(0)) as unknown as Server;
  const { port } = server.address() as AddressInfo;
  return { app, receiverUrl: `http://127.0.0.1:${port}/slack/events`, logged, stop: async () => void (await app.stop()) };
}

/**
 * A Bolt App in Socket Mode (app token; apps.connections.open pointed at the fake too); resolves once connected.
 * `clientPingTimeoutMs` (only through an explicit SocketModeReceiver) also sets how long the client waits before it
 * reconnects (Slack's default 5000).
 */
export async function startSocketApp(fake: FakeSlack, register: (app: App) => void, options: { clientPingTimeoutMs?: number } = {}): Promise<TestBoltApp> {
  const logged: string[] = [];
  const logger = recordingLogger(logged);
  const clientOptions = { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } };
  const app =
    options.clientPingTimeoutMs === undefined
      ? new App({ token: fake.botToken, appToken: fake.appToken, socketMode: true, logger, clientOptions, installerOptions: { clientOptions } })
      : new App({
          token: fake.botToken,
          logger,
          clientOptions,
          receiver: new SocketModeReceiver({ appToken: fake.appToken, logger, clientPingTimeout: options.clientPingTimeoutMs, installerOptions: { clientOptions } }),
        });
  register(app);
  await app.start();
  return { app, receiverUrl: '', logged, stop: async () => void (await app.stop()) };
}
