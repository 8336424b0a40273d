/**
 * Slack's request signing (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature: v0=hex(HMAC_SHA256(signingSecret, "v0:" + timestamp + ":" + rawBody))` with the timestamp in
 * `X-Slack-Request-Timestamp` (seconds). Receivers reject timestamps older than five minutes.
 */
import { createHmac } from 'node:crypto';

export function slackSignature(signingSecret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}

export interface SigningOptions {
  /** Sign with a wrong secret (the receiver must answer 401). */
  badSignature?: boolean;
  /** Moves the signed timestamp, e.g. -600 = ten minutes old (stale: the receiver must answer 401). */
  timestampOffsetSec?: number;
  /** Default Date.now(). */
  nowMs?: number;
}

/** The two signing headers Slack sends with a request whose body is `rawBody`. */
export function signingHeaders(signingSecret: string, rawBody: string, options: SigningOptions = {}): Record<string, string> {
  const timestampSec = Math.floor((options.nowMs ?? Date.now()) / 1000) + (options.timestampOffsetSec ?? 0);
  const secret = options.badSignature ? `${signingSecret}-but-wrong` : signingSecret;
  return {
    'x-slack-request-timestamp': String(timestampSec),
    'x-slack-signature': slackSignature(secret, timestampSec, rawBody),
  };
}
