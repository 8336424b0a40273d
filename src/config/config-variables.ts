/**
 * Every environment variable the service reads: its name, default, what it means, and the zod schema that
 * turns its text into a value. `loadServiceConfig` reads exactly these; `.env.example` documents exactly these
 * (a test keeps the two in step).
 */
import { isIP } from 'node:net';
import { z } from 'zod';

export interface ConfigVariable {
  name: string;
  /** The default as it would be written in .env; undefined = unset by default. */
  default?: string;
  description: string;
  /** Parses the (trimmed, non-empty) text. */
  schema: z.ZodType<unknown>;
}

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^[+]?\d+(\.0*)?$|^[+]?\d+(\.\d+)?e[+]?\d+$/i, { message: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().int({ message: `must be a whole number from ${min} to ${max}` }).min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));

/** The longest delay Node.js timers take (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A number of `unit`s, each `perUnit` of the base unit (bytes or ms) the service uses. The value must be at least one
 * base unit (so rounding never turns it into 0, which the parts below refuse or misread) and at most `maxBase` base
 * units (default: the largest safe integer; timers pass MAX_TIMER_MS).
 */
const positiveNumber = (unit: string, scale: { perUnit: number; baseUnit: string; maxBase?: number; maxReason?: string }, allowZero = false) => {
  const max = (scale.maxBase ?? Number.MAX_SAFE_INTEGER) / scale.perUnit;
  return z
    .string()
    .regex(/^[+]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i, { message: `must be a ${allowZero ? 'non-negative' : 'positive'} number of ${unit}` })
    .transform(Number)
    .refine((value) => Number.isFinite(value) && (allowZero ? value >= 0 : value > 0), { message: `must be a ${allowZero ? 'non-negative' : 'positive'} number of ${unit}` })
    .refine((value) => value === 0 || value * scale.perUnit >= 1, { message: `must be at least one ${scale.baseUnit} (${Number((1 / scale.perUnit).toPrecision(3))} ${unit})${allowZero ? ' or 0' : ''}` })
    .refine((value) => value <= max, { message: `must be at most ${Math.floor(max * 100) / 100} ${unit}${scale.maxReason ? ` (${scale.maxReason})` : ''}` });
};
const MIB = { perUnit: 1024 * 1024, baseUnit: 'byte' };
const TIMER = { maxBase: MAX_TIMER_MS, maxReason: 'the longest timer Node.js can set, about 24.8 days' };
const SECONDS_TIMER = { perUnit: 1000, baseUnit: 'millisecond', ...TIMER };
const MINUTES_TIMER = { perUnit: 60_000, baseUnit: 'millisecond', ...TIMER };
const MINUTES = { perUnit: 60_000, baseUnit: 'millisecond' };

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];
const boolean = z
  .string()
  .transform((text) => text.toLowerCase())
  .refine((text) => TRUE.includes(text) || FALSE.includes(text), { message: `must be one of ${[...TRUE, ...FALSE].join(', ')}` })
  .transform((text) => TRUE.includes(text));

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i;

/** True for a host name, an IPv4/IPv6 address, or an address/prefix CIDR range. */
export function isAllowListEntry(entry: string): boolean {
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const address = entry.slice(0, slash);
    const prefix = entry.slice(slash + 1);
    const family = isIP(address);
    if (family === 0 || !/^\d{1,3}$/.test(prefix)) return false;
    return Number(prefix) <= (family === 4 ? 32 : 128);
  }
  const unbracketed = entry.startsWith('[') && entry.endsWith(']') ? entry.slice(1, -1) : entry;
  return isIP(unbracketed) !== 0 || HOST_NAME.test(entry);
}

const allowList = z
  .string()
  .transform((text) => text.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0))
  .superRefine((entries, context) => {
    for (const entry of entries) {
      if (!isAllowListEntry(entry)) context.addIssue({ code: 'custom', message: `"${entry}" is not a host name, IP address or CIDR range (such as 10.0.0.0/8)` });
    }
  });

/** GLANCE_HTTP_TRUST_PROXY: false, true, a hop count, or the proxies' addresses/CIDR ranges. */
const trustProxy = z.string().transform((text, context) => {
  const lower = text.toLowerCase();
  // Digits are a hop count (1 = the connecting proxy only), never the boolean spellings 1/0.
  if (/^\d+$/.test(text)) return Number(text) === 0 ? false : Number(text);
  if (TRUE.includes(lower)) return true;
  if (FALSE.includes(lower)) return false;
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  for (const entry of entries) {
    const address = entry.includes('/') ? entry : entry.replace(/^\[|\]$/g, '');
    if (!isAllowListEntry(address) || (!entry.includes('/') && isIP(address) === 0)) {
      context.addIssue({ code: 'custom', message: `must be true, false, a number of proxy hops, or comma-separated proxy IP addresses / CIDR ranges ("${entry}" is none of these)` });
      return z.NEVER;
    }
  }
  return entries;
});

const httpUrl = z.url({ message: 'must be an http(s) URL', protocol: /^https?$/ });

const hostList = z
  .string()
  .transform((text) => text.split(',').map((entry) => entry.trim().toLowerCase()).filter((entry) => entry.length > 0))
  .superRefine((entries, context) => {
    for (const entry of entries) {
      const host = /^[^:\[\]]+:\d+$/.test(entry) ? entry.slice(0, entry.lastIndexOf(':')) : entry;
      if (!isAllowListEntry(host) || host.includes('/')) context.addIssue({ code: 'custom', message: `"${entry}" is not a host name (optionally with :port) or IP address` });
    }
  });

export const PROVIDERS = ['cpu', 'cuda', 'auto'] as const;
export const LOG_LEVEL_NAMES = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMAT_NAMES = ['auto', 'pretty', 'json'] as const;

const text = z.string();

export const CONFIG_VARIABLES = [
  { name: 'GLANCE_MODEL', description: 'The model: a converted bundle folder, a Hugging Face BLIP-2 checkpoint folder, or a Hub id such as Salesforce/blip2-opt-2.7b (downloaded and converted once into the data directory). Unset: pass --model, or --demo for the tiny demo model (random weights).', schema: text },
  { name: 'GLANCE_DATA_DIR', default: './data', description: 'Where downloaded and converted models and the settings database (glance.sqlite) live.', schema: text },
  { name: 'GLANCE_PROVIDER', default: 'cpu', description: 'onnxruntime execution provider: cpu, cuda, or auto (CUDA when available, else CPU).', schema: z.enum(PROVIDERS, { message: `must be one of ${PROVIDERS.join(', ')}` }) },
  { name: 'GLANCE_THREADS', description: 'onnxruntime intra-op threads. Unset: all cores.', schema: integer(1, 1024) },
  { name: 'GLANCE_HTTP_HOST', default: '127.0.0.1', description: 'Address the HTTP server (playground and API) listens on. 0.0.0.0 exposes it to the network.', schema: text },
  { name: 'GLANCE_HTTP_PORT', default: '3000', description: 'Port of the HTTP server; 0 picks a free port.', schema: integer(0, 65535) },
  { name: 'GLANCE_HTTP_BODY_LIMIT_MB', default: '20', description: 'Largest accepted HTTP request body (uploads, JSON with base64 images), in MiB.', schema: positiveNumber('MiB', MIB) },
  { name: 'GLANCE_ALLOW_REMOTE_IMAGES', default: 'false', description: 'Fetch http(s) image URLs sent to the API (true/false). Private, loopback and link-local addresses stay refused unless the allow-list names them.', schema: boolean },
  { name: 'GLANCE_REMOTE_IMAGE_ALLOW_LIST', default: '', description: 'Comma-separated host names, IPs and CIDR ranges whose images are fetched even when they are private addresses.', schema: allowList },
  { name: 'GLANCE_HTTP_TRUST_PROXY', default: 'false', description: 'Behind a reverse proxy: trust its X-Forwarded-For, so per-user limits key on the real client address. true (any proxy), a number of proxy hops (1 = only the connecting proxy), or comma-separated proxy IP addresses / CIDR ranges; false or 0 = use the connecting address.', schema: trustProxy },
  { name: 'GLANCE_MAX_PIXELS', default: '40000000', description: 'Refuse images with more pixels than this (width x height).', schema: integer(1) },
  { name: 'GLANCE_MAX_QUESTION_CHARS', default: '500', description: 'Longest accepted question, in characters (Unicode code points: an emoji counts one).', schema: integer(1) },
  { name: 'GLANCE_MAX_IMAGE_MB', default: '20', description: 'Largest image file the chat adapters download, in MiB; larger ones get a friendly "too large" answer.', schema: positiveNumber('MiB', MIB) },
  { name: 'GLANCE_MAX_IMAGES_PER_MESSAGE', default: '4', description: 'Most images of one chat message that are described or asked about; the rest are named as skipped (Discord, Slack); /v1/chat/completions refuses more with 400.', schema: integer(1, 50) },
  { name: 'GLANCE_MAX_BEAMS', default: '8', description: 'Most beams (numBeams) one request may ask for; a request asking for more is refused with GENERATION_INVALID_OPTION. Each beam is one more row of the generation batch.', schema: integer(1, 64) },
  { name: 'GLANCE_MAX_NEW_TOKENS', default: '256', description: 'Most new tokens (maxNewTokens) one request may ask for; a request asking for more is refused with GENERATION_INVALID_OPTION. Below 30 (the default length) it is also the length of requests that do not ask for one.', schema: integer(1, 4096) },
  { name: 'GLANCE_CACHE_MB', default: '512', description: 'Byte budget of the per-image embedding cache, in MiB.', schema: positiveNumber('MiB', MIB) },
  { name: 'GLANCE_PREFIX_CACHE_MB', default: '256', description: 'Byte budget, in MiB, for keeping the language model\'s cache of each image\'s queries and the `Question:` every question starts with (OPT models), so a follow-up question prefills only the rest of its prompt; 0 = do not keep them. One image costs 2 x layers x (query tokens + 3) x hidden size x 4 bytes (23 MB for blip2-opt-2.7b).', schema: positiveNumber('MiB', MIB, true) },
  { name: 'GLANCE_CACHE_TTL_MINUTES', default: '60', description: 'How long a cached image embedding is kept, in minutes (at most 35791, about 24.8 days); 0 = until evicted by the byte budget.', schema: positiveNumber('minutes', MINUTES_TIMER, true) },
  { name: 'GLANCE_QUEUE_SIZE', default: '64', description: 'Requests that may wait for the engine; beyond it requests are refused as busy.', schema: integer(1) },
  { name: 'GLANCE_MAX_BATCH', default: '8', description: 'Most requests run together in one engine batch.', schema: integer(1, 256) },
  { name: 'GLANCE_USER_REQUESTS_PER_MINUTE', default: '20', description: 'Requests one user may start per minute (besides GLANCE_USER_MAX_RUNNING at a time).', schema: integer(1) },
  { name: 'GLANCE_USER_MAX_RUNNING', default: '1', description: 'Requests one user (a chat user, or one client address of the HTTP API) may have waiting or running at once; more are refused as rate-limited. Raise it for API clients that send several requests at once, so they share engine batches.', schema: integer(1, 1024) },
  { name: 'GLANCE_DEADLINE_SECONDS', default: '60', description: 'A request still unfinished after this many seconds fails with DEADLINE_EXCEEDED (at most 2147483, about 24.8 days).', schema: positiveNumber('seconds', SECONDS_TIMER) },
  { name: 'GLANCE_CONVERSATION_TTL_MINUTES', default: '60', description: 'How long posted images are remembered per conversation for follow-up questions, in minutes.', schema: positiveNumber('minutes', MINUTES) },
  { name: 'GLANCE_CONVERSATION_MAX_IMAGES', default: '20', description: 'Most images remembered per conversation (the oldest are forgotten first).', schema: integer(1, 10_000) },
  { name: 'GLANCE_CHANNEL_WINDOW_MINUTES', default: '30', description: 'A question with no image on it, no reply and no image in its thread is about the channel\'s most recent image only if that was posted within this many minutes.', schema: positiveNumber('minutes', MINUTES, true) },
  { name: 'GLANCE_LOG_FORMAT', default: 'auto', description: 'How log lines are written: auto (human-readable on stderr when stderr is a terminal, else JSON lines on stdout), pretty (human-readable on stderr), json (JSON lines on stdout).', schema: z.enum(LOG_FORMAT_NAMES, { message: `must be one of ${LOG_FORMAT_NAMES.join(', ')}` }) },
  { name: 'GLANCE_LOG_LEVEL', default: 'info', description: `Log level: ${LOG_LEVEL_NAMES.join(', ')}.`, schema: z.enum(LOG_LEVEL_NAMES, { message: `must be one of ${LOG_LEVEL_NAMES.join(', ')}` }) },
  { name: 'DISCORD_TOKEN', description: 'Discord bot token. Set: glance start also runs the Discord bot (the HTTP playground and API keep running).', schema: text },
  { name: 'DISCORD_APPLICATION_ID', description: 'Discord application id, for `glance discord register`. Unset: read from the bot\'s application after login.', schema: z.string().regex(/^\d{5,25}$/, { message: 'must be a Discord snowflake (digits)' }) },
  { name: 'DISCORD_API_URL', default: 'https://discord.com/api', description: 'Discord REST base URL (tests and self-hosted proxies point it elsewhere; the gateway URL then comes from GET /gateway/bot).', schema: httpUrl },
  { name: 'DISCORD_MESSAGE_CONTENT', default: 'false', description: 'Request the privileged MESSAGE_CONTENT intent (enable it in the Developer Portal first). Needed for automatic alt text on every posted image; slash commands, context-menu commands, mentions and DMs work without it.', schema: boolean },
  { name: 'DISCORD_MEDIA_HOSTS', default: 'cdn.discordapp.com,media.discordapp.net', description: 'Comma-separated hosts (optionally host:port) the Discord adapter downloads attachments from; anything else is refused.', schema: hostList },
  { name: 'SLACK_BOT_TOKEN', description: 'Slack bot token (xoxb-...). Set: glance runs as a Slack app, in Socket Mode with SLACK_APP_TOKEN, or over HTTP with SLACK_SIGNING_SECRET and SLACK_PORT.', schema: text },
  { name: 'SLACK_APP_TOKEN', description: 'Slack app-level token (xapp-...) with connections:write, for Socket Mode (no public URL needed). Socket Mode is used whenever it is set (SLACK_SIGNING_SECRET and SLACK_PORT are then refused: they would go unused).', schema: text },
  { name: 'SLACK_SIGNING_SECRET', description: 'Slack signing secret: HTTP mode (events, commands and shortcuts POSTed to /slack/events on SLACK_PORT) when SLACK_APP_TOKEN is unset.', schema: text },
  { name: 'SLACK_PORT', description: 'Port of the Slack HTTP receiver (/slack/events) in HTTP mode.', schema: integer(0, 65535) },
  { name: 'SLACK_API_URL', default: 'https://slack.com/api/', description: 'Slack Web API base URL, Socket Mode\'s apps.connections.open included (tests point it at a local fake).', schema: httpUrl },
  { name: 'SLACK_FILE_HOSTS', default: 'files.slack.com', description: 'Comma-separated hosts (optionally host:port) the Slack adapter downloads files from, with the bot token; anything else is refused.', schema: hostList },
  { name: 'HF_TOKEN', description: 'Hugging Face access token, for gated or private Hub models.', schema: text },
  { name: 'HF_ENDPOINT', description: 'Hugging Face Hub URL (a mirror). Unset: https://huggingface.co.', schema: httpUrl },
] as const satisfies readonly ConfigVariable[];

export type ConfigVariableName = (typeof CONFIG_VARIABLES)[number]['name'];

/** Variables with this prefix belong to the test harness, not the service, and are not checked. */
export const TEST_VARIABLE_PREFIX = 'GLANCE_TEST_';
