/**
 * Telling "the platform said no" from "the platform never answered". A refusal (401 bad token, 403, a Slack `ok: false`)
 * is the operator's configuration: CONFIG_INVALID. No answer at all — connection refused, DNS failure, a timeout, a
 * reset — is the network's (or a proxy's) fault: NETWORK_UNREACHABLE, naming the address, so nobody resets a good
 * token over a firewall.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';

/** Node/undici codes of a request that got no HTTP answer. */
const NO_ANSWER_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_SOCKET',
  // @slack/web-api's RequestError: the request failed before Slack answered (its `original` holds why).
  'slack_webapi_request_error',
]);
const NO_ANSWER_NAMES = new Set(['TimeoutError', 'ConnectTimeoutError']);

/** The first error of `error`'s cause chain (`cause`, or `original` for @slack/web-api) that means no answer came. */
function noAnswer(error: unknown): Error | undefined {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Object && !seen.has(current); ) {
    seen.add(current);
    const { code, name } = current as { code?: unknown; name?: unknown };
    if ((typeof code === 'string' && NO_ANSWER_CODES.has(code)) || (typeof name === 'string' && NO_ANSWER_NAMES.has(name))) return current as Error;
    current = (current as { cause?: unknown }).cause ?? (current as { original?: unknown }).original;
  }
  return undefined;
}

/** The deepest message of the chain: "connect ECONNREFUSED 127.0.0.1:9" rather than "fetch failed". */
function rootReason(error: unknown): string {
  let reason = (error as Error)?.message ?? String(error);
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Object && !seen.has(current); ) {
    seen.add(current);
    if (typeof (current as Error).message === 'string' && (current as Error).message !== '') reason = (current as Error).message;
    current = (current as { cause?: unknown }).cause ?? (current as { original?: unknown }).original;
  }
  return reason;
}

/**
 * NETWORK_UNREACHABLE when `error` means `url` never answered (`what`: "Discord", "Slack"; `doing`: "to log in"),
 * saying to check the network, a proxy and the URL variable; undefined when it did answer (a refusal).
 */
export function unreachableError(error: unknown, where: { what: string; url: string; variable: string; doing: string }): GlanceError | undefined {
  if (noAnswer(error) === undefined) return undefined;
  return new GlanceError(
    ErrorCode.NetworkUnreachable,
    `Could not reach ${where.what} at ${where.url} ${where.doing} (${rootReason(error)}). Check this machine's network connection and any proxy or firewall in between (and ${where.variable} if you set it), then try again.`,
    { url: where.url },
    { cause: error },
  );
}
