/**
 * Waiting for discord.js to be ready at start-up, without hanging. When Discord closes the gateway with a code that
 * ends the session (4014: a privileged intent the Developer Portal has not enabled; 4004: a bad token; …), discord.js
 * emits ShardDisconnect and never becomes ready, while `login()` may still resolve: start-up would wait forever. So
 * ready is raced against that disconnect (a CONFIG_INVALID error saying what to change) and a deadline
 * (DEADLINE_EXCEEDED).
 */
import { Events, type Client } from 'discord.js';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

export const DEFAULT_READY_TIMEOUT_MS = 60_000;

export const DISALLOWED_INTENTS_MESSAGE =
  'Discord refused the Message Content intent: enable it for the bot in the Developer Portal (Bot → Privileged Gateway Intents) or set DISCORD_MESSAGE_CONTENT=false';

/** What to tell the operator when Discord ends the gateway session with `code` during start-up. */
export function gatewayRefusal(code: number): GlanceError {
  const details = { closeCode: code };
  switch (code) {
    case 4014:
      return new GlanceError(ErrorCode.ConfigInvalid, DISALLOWED_INTENTS_MESSAGE, details);
    case 4004:
      return new GlanceError(ErrorCode.ConfigInvalid, 'Discord refused the bot token on the gateway (close code 4004): check DISCORD_TOKEN (Developer Portal → Bot → Reset Token)', details);
    case 4011:
      return new GlanceError(ErrorCode.ConfigInvalid, 'Discord requires sharding for this bot (close code 4011: it is in 2,500 servers or more); glance runs one shard', details);
    default:
      return new GlanceError(ErrorCode.ConfigInvalid, `Discord closed the gateway connection during start-up with code ${code} and will not accept it again; check DISCORD_TOKEN, DISCORD_API_URL and the bot's settings in the Developer Portal`, details);
  }
}

export interface ReadyWait {
  /** Resolves on ClientReady; rejects on a session-ending disconnect or after the deadline. */
  ready: Promise<void>;
  /** Stops listening and clears the deadline (when login itself failed). */
  cancel(): void;
}

/** Starts listening before `client.login()`; await `ready` after it. */
export function waitForGatewayReady(client: Client, timeoutMs: number = DEFAULT_READY_TIMEOUT_MS): ReadyWait {
  let settle: (error?: GlanceError) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    const onReady = () => settle();
    const onDisconnect = (event: { code: number }) => settle(gatewayRefusal(event.code));
    const timer = setTimeout(
      () => settle(new GlanceError(ErrorCode.DeadlineExceeded, `Discord did not report the bot ready within ${Math.round(timeoutMs / 1000)} s of logging in; check DISCORD_API_URL and the network`)),
      timeoutMs,
    );
    settle = (error) => {
      clearTimeout(timer);
      client.off(Events.ClientReady, onReady);
      client.off(Events.ShardDisconnect, onDisconnect);
      if (error) reject(error);
      else resolve();
    };
    client.once(Events.ClientReady, onReady);
    client.on(Events.ShardDisconnect, onDisconnect);
  });
  return { ready, cancel: () => settle() };
}
