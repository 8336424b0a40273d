/**
 * The service's one validated configuration, from (highest first) `overrides` (command-line flags, keyed by
 * variable name), the environment, the `.env` file, and the defaults. Every variable is listed, with its
 * default and meaning, in config-variables.ts and `.env.example`. A bad value stops start-up with a
 * CONFIG_INVALID error naming the variable; so does an unknown GLANCE_* variable (a typo is not ignored), with the
 * known name it is probably a typo of; an unknown DISCORD_* or SLACK_* variable is a warning (unknown-variables.ts).
 * The environment is read, never written (`.env` values do not leak into process.env).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { CONFIG_VARIABLES, type ConfigVariable, type ConfigVariableName, type LOG_FORMAT_NAMES } from './config-variables.ts';
import { describeUnknownVariable, findUnknownVariables } from './unknown-variables.ts';

type LogFormat = (typeof LOG_FORMAT_NAMES)[number];

export interface ServiceConfig {
  /** GLANCE_MODEL: bundle folder, checkpoint folder or Hub id. */
  model?: string;
  /** GLANCE_DATA_DIR, default ./data. */
  dataDir: string;
  provider: 'cpu' | 'cuda' | 'auto';
  threads?: number;
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    allowRemoteImages: boolean;
    /** Hosts, IPs and CIDR ranges fetched even when private. */
    remoteImageAllowList: string[];
    /** GLANCE_HTTP_TRUST_PROXY, as fastify's trustProxy takes it. */
    trustProxy: boolean | number | string[];
  };
  /** maxBeams, maxNewTokens: GLANCE_MAX_BEAMS / GLANCE_MAX_NEW_TOKENS, the most one request's generation options may ask for. */
  limits: { maxPixels: number; maxQuestionChars: number; maxImageBytes: number; maxImagesPerMessage: number; maxBeams: number; maxNewTokens: number };
  /** prefixMaxBytes: GLANCE_PREFIX_CACHE_MB (0 = image prefixes are not kept). */
  cache: { maxBytes: number; ttlMs: number; prefixMaxBytes: number };
  /** maxRunningPerUser: GLANCE_USER_MAX_RUNNING. */
  queue: { maxQueued: number; maxBatch: number; perUserPerMinute: number; maxRunningPerUser: number; deadlineMs: number };
  conversation: { ttlMs: number; maxImagesPerConversation: number; channelWindowMs: number };
  discordToken?: string;
  discord: {
    applicationId?: string;
    apiUrl: string;
    /** Request the privileged MESSAGE_CONTENT intent. */
    messageContent: boolean;
    /** Lower-case hosts (host or host:port) attachments may be downloaded from. */
    mediaHosts: string[];
  };
  slackBotToken?: string;
  slackAppToken?: string;
  slackSigningSecret?: string;
  slack: {
    /** SLACK_PORT: the HTTP receiver's port (HTTP mode). */
    port?: number;
    /** Web API base, ending in '/'. */
    apiUrl: string;
    /** Lower-case hosts (host or host:port) files may be downloaded from. */
    fileHosts: string[];
  };
  /** HF_ENDPOINT and HF_TOKEN, for resolveModel's hubUrl and accessToken. */
  hub: { url?: string; accessToken?: string };
  logLevel: string;
  logFormat: LogFormat;
}

export interface LoadServiceConfigOptions {
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** A .env file to read; default `.env` in the working directory when it exists; false = none. A named file must exist. */
  envFile?: string | false;
  /** Values by variable name that win over the environment (command-line flags). */
  overrides?: Partial<Record<string, string>>;
  /** Told each warning, once: an unknown DISCORD_* or SLACK_* variable (with a did-you-mean when one is close). */
  onWarning?: (message: string) => void;
}

const MIB = 1024 * 1024;
const MINUTE_MS = 60_000;

type Values = Record<ConfigVariableName, unknown>;

function readEnvFile(envFile: string | false | undefined): Record<string, string> {
  if (envFile === false) return {};
  const path = resolve(envFile ?? '.env');
  if (!existsSync(path)) {
    if (envFile === undefined) return {};
    throw new GlanceError(ErrorCode.ConfigInvalid, `The env file ${envFile} does not exist.`, { envFile: path });
  }
  try {
    return parseDotenv(readFileSync(path));
  } catch (error) {
    throw new GlanceError(ErrorCode.ConfigInvalid, `The env file ${envFile ?? '.env'} could not be read: ${(error as Error).message}`, { envFile: path }, { cause: error });
  }
}

/** The validated service configuration; throws GlanceError CONFIG_INVALID naming every bad variable. */
export function loadServiceConfig(options: LoadServiceConfigOptions = {}): ServiceConfig {
  const fromFile = readEnvFile(options.envFile);
  const env = options.env ?? process.env;
  const overrides = options.overrides ?? {};
  const known = CONFIG_VARIABLES.map((variable) => variable.name);
  const problems: { variable: string; message: string }[] = [];

  for (const unknown of findUnknownVariables([fromFile, env, overrides].flatMap((source) => Object.keys(source)), known)) {
    if (unknown.severity === 'error') problems.push({ variable: unknown.name, message: describeUnknownVariable(unknown) });
    else options.onWarning?.(describeUnknownVariable(unknown));
  }

  const values = {} as Values;
  for (const variable of CONFIG_VARIABLES as readonly ConfigVariable[]) {
    const name = variable.name as ConfigVariableName;
    const raw = overrides[name] ?? env[name] ?? fromFile[name];
    const trimmed = raw?.trim();
    const text = trimmed === undefined || trimmed === '' ? variable.default : trimmed;
    if (text === undefined) continue;
    const parsed = variable.schema.safeParse(text);
    if (parsed.success) {
      values[name] = parsed.data;
    } else {
      const reason = parsed.error.issues.map((issue) => issue.message).join('; ');
      problems.push({ variable: name, message: `${name} ${reason} (got "${text}")` });
    }
  }

  if (problems.length > 0) {
    throw new GlanceError(ErrorCode.ConfigInvalid, `Invalid configuration: ${problems.map((p) => (/[.?!]$/.test(p.message) ? p.message : `${p.message}.`)).join(' ')}`, {
      variables: problems.map((p) => p.variable),
    });
  }

  const num = (name: ConfigVariableName) => values[name] as number;
  const str = (name: ConfigVariableName) => values[name] as string | undefined;
  const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

  return {
    ...optional('model', str('GLANCE_MODEL')),
    dataDir: str('GLANCE_DATA_DIR') as string,
    provider: values.GLANCE_PROVIDER as ServiceConfig['provider'],
    ...optional('threads', values.GLANCE_THREADS as number | undefined),
    http: {
      host: str('GLANCE_HTTP_HOST') as string,
      port: num('GLANCE_HTTP_PORT'),
      bodyLimitBytes: Math.round(num('GLANCE_HTTP_BODY_LIMIT_MB') * MIB),
      allowRemoteImages: values.GLANCE_ALLOW_REMOTE_IMAGES as boolean,
      remoteImageAllowList: values.GLANCE_REMOTE_IMAGE_ALLOW_LIST as string[],
      trustProxy: values.GLANCE_HTTP_TRUST_PROXY as boolean | number | string[],
    },
    limits: {
      maxPixels: num('GLANCE_MAX_PIXELS'),
      maxQuestionChars: num('GLANCE_MAX_QUESTION_CHARS'),
      maxImageBytes: Math.round(num('GLANCE_MAX_IMAGE_MB') * MIB),
      maxImagesPerMessage: num('GLANCE_MAX_IMAGES_PER_MESSAGE'),
      maxBeams: num('GLANCE_MAX_BEAMS'),
      maxNewTokens: num('GLANCE_MAX_NEW_TOKENS'),
    },
    cache: {
      maxBytes: Math.round(num('GLANCE_CACHE_MB') * MIB),
      ttlMs: Math.round(num('GLANCE_CACHE_TTL_MINUTES') * MINUTE_MS),
      prefixMaxBytes: Math.round(num('GLANCE_PREFIX_CACHE_MB') * MIB),
    },
    queue: {
      maxQueued: num('GLANCE_QUEUE_SIZE'),
      maxBatch: num('GLANCE_MAX_BATCH'),
      perUserPerMinute: num('GLANCE_USER_REQUESTS_PER_MINUTE'),
      maxRunningPerUser: num('GLANCE_USER_MAX_RUNNING'),
      deadlineMs: Math.round(num('GLANCE_DEADLINE_SECONDS') * 1000),
    },
    conversation: {
      ttlMs: Math.round(num('GLANCE_CONVERSATION_TTL_MINUTES') * MINUTE_MS),
      maxImagesPerConversation: num('GLANCE_CONVERSATION_MAX_IMAGES'),
      channelWindowMs: Math.round(num('GLANCE_CHANNEL_WINDOW_MINUTES') * MINUTE_MS),
    },
    ...optional('discordToken', str('DISCORD_TOKEN')),
    discord: {
      ...optional('applicationId', str('DISCORD_APPLICATION_ID')),
      apiUrl: (str('DISCORD_API_URL') as string).replace(/\/+$/, ''),
      messageContent: values.DISCORD_MESSAGE_CONTENT as boolean,
      mediaHosts: values.DISCORD_MEDIA_HOSTS as string[],
    },
    ...optional('slackBotToken', str('SLACK_BOT_TOKEN')),
    ...optional('slackAppToken', str('SLACK_APP_TOKEN')),
    ...optional('slackSigningSecret', str('SLACK_SIGNING_SECRET')),
    slack: {
      ...optional('port', values.SLACK_PORT as number | undefined),
      apiUrl: `${(str('SLACK_API_URL') as string).replace(/\/+$/, '')}/`,
      fileHosts: values.SLACK_FILE_HOSTS as string[],
    },
    hub: { ...optional('url', str('HF_ENDPOINT')), ...optional('accessToken', str('HF_TOKEN')) },
    logLevel: str('GLANCE_LOG_LEVEL') as string,
    logFormat: str('GLANCE_LOG_FORMAT') as LogFormat,
  };
}

/** The config with its secrets replaced by "[redacted]", safe to log. */
export function redactConfig(config: ServiceConfig): ServiceConfig {
  const hide = (value: string | undefined) => (value === undefined ? undefined : '[redacted]');
  const copy: ServiceConfig = { ...config, hub: { ...config.hub } };
  for (const key of ['discordToken', 'slackBotToken', 'slackAppToken', 'slackSigningSecret'] as const) {
    if (copy[key] !== undefined) copy[key] = hide(copy[key]);
  }
  if (copy.hub.accessToken !== undefined) copy.hub.accessToken = hide(copy.hub.accessToken);
  return copy;
}
