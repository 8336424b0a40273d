import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { loadServiceConfig, redactConfig, type ServiceConfig } from '../../../src/config/service-config.ts';
import { CONFIG_VARIABLES } from '../../../src/config/config-variables.ts';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';

const DEFAULTS: ServiceConfig = {
  dataDir: './data',
  provider: 'cpu',
  http: { host: '127.0.0.1', port: 3000, bodyLimitBytes: 20 * 1024 * 1024, allowRemoteImages: false, remoteImageAllowList: [], trustProxy: false },
  limits: { maxPixels: 40_000_000, maxQuestionChars: 500, maxImageBytes: 20 * 1024 * 1024, maxImagesPerMessage: 4, maxBeams: 8, maxNewTokens: 256 },
  cache: { maxBytes: 512 * 1024 * 1024, ttlMs: 60 * 60_000, prefixMaxBytes: 256 * 1024 * 1024 },
  queue: { maxQueued: 64, maxBatch: 8, perUserPerMinute: 20, maxRunningPerUser: 1, deadlineMs: 60_000 },
  conversation: { ttlMs: 60 * 60_000, maxImagesPerConversation: 20, channelWindowMs: 30 * 60_000 },
  discord: { apiUrl: 'https://discord.com/api', messageContent: false, mediaHosts: ['cdn.discordapp.com', 'media.discordapp.net'] },
  slack: { apiUrl: 'https://slack.com/api/', fileHosts: ['files.slack.com'] },
  hub: {},
  logLevel: 'info',
  logFormat: 'auto',
};

function configError(run: () => unknown): GlanceError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GlanceError);
    expect((error as GlanceError).code).toBe(ErrorCode.ConfigInvalid);
    return error as GlanceError;
  }
  throw new Error('expected CONFIG_INVALID');
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'glance-config-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadServiceConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadServiceConfig({ env: {}, envFile: false })).toEqual(DEFAULTS);
  });

  it('reads every variable, converting units', () => {
    const config = loadServiceConfig({
      envFile: false,
      env: {
        GLANCE_MODEL: 'Salesforce/blip2-opt-2.7b',
        GLANCE_DATA_DIR: '/var/glance',
        GLANCE_PROVIDER: 'auto',
        GLANCE_THREADS: '4',
        GLANCE_HTTP_HOST: '0.0.0.0',
        GLANCE_HTTP_PORT: '8080',
        GLANCE_HTTP_BODY_LIMIT_MB: '1.5',
        GLANCE_ALLOW_REMOTE_IMAGES: 'TRUE',
        GLANCE_REMOTE_IMAGE_ALLOW_LIST: ' images.internal , 10.0.0.0/8,::1, 192.168.1.7 ',
        GLANCE_MAX_PIXELS: '1e6',
        GLANCE_MAX_QUESTION_CHARS: '200',
        GLANCE_HTTP_TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
        GLANCE_MAX_IMAGE_MB: '8',
        GLANCE_MAX_IMAGES_PER_MESSAGE: '2',
        GLANCE_MAX_BEAMS: '4',
        GLANCE_MAX_NEW_TOKENS: '64',
        GLANCE_USER_MAX_RUNNING: '3',
        GLANCE_CACHE_MB: '64',
        GLANCE_CACHE_TTL_MINUTES: '0',
        GLANCE_PREFIX_CACHE_MB: '0',
        GLANCE_QUEUE_SIZE: '3',
        GLANCE_MAX_BATCH: '2',
        GLANCE_USER_REQUESTS_PER_MINUTE: '5',
        GLANCE_DEADLINE_SECONDS: '2.5',
        GLANCE_CONVERSATION_TTL_MINUTES: '10',
        GLANCE_CONVERSATION_MAX_IMAGES: '4',
        GLANCE_CHANNEL_WINDOW_MINUTES: '5',
        GLANCE_LOG_LEVEL: 'debug',
        GLANCE_LOG_FORMAT: 'json',
        DISCORD_TOKEN: 'discord-secret',
        DISCORD_APPLICATION_ID: '123456789012345678',
        DISCORD_API_URL: 'http://127.0.0.1:5555/api/',
        DISCORD_MESSAGE_CONTENT: 'yes',
        DISCORD_MEDIA_HOSTS: 'CDN.example.com, 127.0.0.1:5555',
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_APP_TOKEN: 'xapp-1',
        SLACK_SIGNING_SECRET: 'signing',
        SLACK_PORT: '3100',
        SLACK_API_URL: 'http://127.0.0.1:7777/api',
        SLACK_FILE_HOSTS: 'files.slack.com,127.0.0.1:7777',
        HF_TOKEN: 'hf_abc',
        HF_ENDPOINT: 'http://127.0.0.1:9999',
      },
    });
    expect(config).toEqual({
      model: 'Salesforce/blip2-opt-2.7b',
      dataDir: '/var/glance',
      provider: 'auto',
      threads: 4,
      http: {
        host: '0.0.0.0',
        port: 8080,
        bodyLimitBytes: 1_572_864,
        allowRemoteImages: true,
        remoteImageAllowList: ['images.internal', '10.0.0.0/8', '::1', '192.168.1.7'],
        trustProxy: ['10.0.0.0/8', '192.168.1.1'],
      },
      limits: { maxPixels: 1_000_000, maxQuestionChars: 200, maxImageBytes: 8 * 1024 * 1024, maxImagesPerMessage: 2, maxBeams: 4, maxNewTokens: 64 },
      cache: { maxBytes: 64 * 1024 * 1024, ttlMs: 0, prefixMaxBytes: 0 },
      queue: { maxQueued: 3, maxBatch: 2, perUserPerMinute: 5, maxRunningPerUser: 3, deadlineMs: 2500 },
      conversation: { ttlMs: 600_000, maxImagesPerConversation: 4, channelWindowMs: 300_000 },
      discordToken: 'discord-secret',
      discord: { applicationId: '123456789012345678', apiUrl: 'http://127.0.0.1:5555/api', messageContent: true, mediaHosts: ['cdn.example.com', '127.0.0.1:5555'] },
      slackBotToken: 'xoxb-1',
      slackAppToken: 'xapp-1',
      slackSigningSecret: 'signing',
      slack: { port: 3100, apiUrl: 'http://127.0.0.1:7777/api/', fileHosts: ['files.slack.com', '127.0.0.1:7777'] },
      hub: { url: 'http://127.0.0.1:9999', accessToken: 'hf_abc' },
      logLevel: 'debug',
      logFormat: 'json',
    });
  });

  it.each([
    ['true', true],
    ['off', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['127.0.0.1,::1', ['127.0.0.1', '::1']],
  ])('reads GLANCE_HTTP_TRUST_PROXY=%s', (text, expected) => {
    expect(loadServiceConfig({ envFile: false, env: { GLANCE_HTTP_TRUST_PROXY: text } }).http.trustProxy).toEqual(expected);
  });

  it('treats empty values as unset', () => {
    expect(loadServiceConfig({ envFile: false, env: { GLANCE_MODEL: '', GLANCE_HTTP_PORT: '  ', DISCORD_TOKEN: '' } })).toEqual(DEFAULTS);
  });

  it.each([
    ['GLANCE_HTTP_PORT', 'abc'],
    ['GLANCE_HTTP_PORT', '70000'],
    ['GLANCE_HTTP_PORT', '-1'],
    ['GLANCE_THREADS', '0'],
    ['GLANCE_THREADS', '1.5'],
    ['GLANCE_PROVIDER', 'tpu'],
    ['GLANCE_ALLOW_REMOTE_IMAGES', 'maybe'],
    ['GLANCE_REMOTE_IMAGE_ALLOW_LIST', 'good.host,bad host'],
    ['GLANCE_REMOTE_IMAGE_ALLOW_LIST', '10.0.0.0/33'],
    ['GLANCE_HTTP_TRUST_PROXY', 'proxy.example.com'],
    ['GLANCE_HTTP_TRUST_PROXY', 'maybe'],
    ['GLANCE_MAX_IMAGE_MB', '0'],
    ['GLANCE_PREFIX_CACHE_MB', '-1'],
    ['GLANCE_MAX_IMAGES_PER_MESSAGE', '0'],
    ['DISCORD_APPLICATION_ID', 'my-app'],
    ['DISCORD_API_URL', 'discord.com/api'],
    ['DISCORD_MESSAGE_CONTENT', 'sometimes'],
    ['DISCORD_MEDIA_HOSTS', 'cdn.discordapp.com,bad host'],
    ['SLACK_PORT', 'http'],
    ['SLACK_API_URL', 'slack.com/api'],
    ['SLACK_FILE_HOSTS', 'https://files.slack.com'],
    ['GLANCE_REMOTE_IMAGE_ALLOW_LIST', '*.example.com'],
    ['GLANCE_CACHE_MB', '0'],
    ['GLANCE_CACHE_MB', 'lots'],
    ['GLANCE_CACHE_TTL_MINUTES', '-5'],
    ['GLANCE_DEADLINE_SECONDS', 'Infinity'],
    ['GLANCE_QUEUE_SIZE', '0'],
    ['GLANCE_MAX_BEAMS', '0'],
    ['GLANCE_MAX_BEAMS', '2.5'],
    ['GLANCE_MAX_NEW_TOKENS', '0'],
    ['GLANCE_MAX_NEW_TOKENS', 'many'],
    ['GLANCE_USER_MAX_RUNNING', '0'],
    ['GLANCE_LOG_LEVEL', 'verbose'],
    ['GLANCE_LOG_FORMAT', 'text'],
    ['HF_ENDPOINT', 'ftp://mirror'],
    // below one base unit: rounding would make it 0 (a crash or a refusal that names no variable, after the model loaded)
    ['GLANCE_HTTP_BODY_LIMIT_MB', '1e-12'],
    ['GLANCE_CACHE_MB', '0.0000001'],
    ['GLANCE_PREFIX_CACHE_MB', '1e-9'],
    ['GLANCE_DEADLINE_SECONDS', '0.0001'],
    ['GLANCE_CONVERSATION_TTL_MINUTES', '0.0000001'],
    ['GLANCE_CHANNEL_WINDOW_MINUTES', '1e-9'],
    // beyond Node's longest timer (2^31 - 1 ms): the timer would fire after 1 ms (every request past its deadline at once)
    ['GLANCE_DEADLINE_SECONDS', '3000000'],
    ['GLANCE_CACHE_TTL_MINUTES', '40000'],
    // beyond what a byte count can hold exactly
    ['GLANCE_CACHE_MB', '1e300'],
  ])('refuses %s=%s with CONFIG_INVALID naming the variable', (name, value) => {
    const error = configError(() => loadServiceConfig({ envFile: false, env: { [name]: value } }));
    expect(error.message).toContain(name);
    expect(error.message).toContain(value);
    expect(error.details).toEqual({ variables: [name] });
  });

  it('takes the largest deadline and cache TTL a Node.js timer can wait, and the smallest values that round to one unit', () => {
    const config = loadServiceConfig({ envFile: false, env: { GLANCE_DEADLINE_SECONDS: '2147483', GLANCE_CACHE_TTL_MINUTES: '35791', GLANCE_CONVERSATION_TTL_MINUTES: '1e6', GLANCE_HTTP_BODY_LIMIT_MB: '0.000001' } });
    expect(config.queue.deadlineMs).toBe(2_147_483_000);
    expect(config.cache.ttlMs).toBe(35_791 * 60_000);
    expect(config.conversation.ttlMs).toBe(6e10);
    expect(config.http.bodyLimitBytes).toBe(1);
    const error = configError(() => loadServiceConfig({ envFile: false, env: { GLANCE_DEADLINE_SECONDS: '2147484' } }));
    expect(error.message).toContain('GLANCE_DEADLINE_SECONDS must be at most 2147483.64 seconds (the longest timer Node.js can set, about 24.8 days)');
  });

  it('names every bad variable at once', () => {
    const error = configError(() => loadServiceConfig({ envFile: false, env: { GLANCE_HTTP_PORT: 'x', GLANCE_MAX_BATCH: '0' } }));
    expect(error.details).toEqual({ variables: ['GLANCE_HTTP_PORT', 'GLANCE_MAX_BATCH'] });
  });

  it('refuses an unknown GLANCE_ variable (a typo is not ignored) but leaves GLANCE_TEST_ and other variables alone', () => {
    const error = configError(() => loadServiceConfig({ envFile: false, env: { GLANCE_HTTP_PROT: '8080' } }));
    expect(error.message).toContain('GLANCE_HTTP_PROT');
    expect(loadServiceConfig({ envFile: false, env: { GLANCE_TEST_PROVIDER: 'cuda', PATH: '/bin', PORT: '1' } })).toEqual(DEFAULTS);
  });

  it('says which variable an unknown GLANCE_ name is probably a typo of, from the environment or .env', () => {
    const dir = tempDir();
    const file = join(dir, '.env');
    writeFileSync(file, 'GLANCE_LOGLEVEL=debug\n');
    const error = configError(() => loadServiceConfig({ envFile: file, env: { GLANCE_MODLE: '/models/x', GLANCE_WHATEVER: '1' } }));
    expect(error.message).toContain('unknown variable GLANCE_MODLE — did you mean GLANCE_MODEL?');
    expect(error.message).toContain('unknown variable GLANCE_LOGLEVEL — did you mean GLANCE_LOG_LEVEL?');
    expect(error.message).toMatch(/unknown variable GLANCE_WHATEVER: it is not a glance setting/);
    expect(error.message).not.toMatch(/GLANCE_WHATEVER — did you mean/);
    expect(error.details).toEqual({ variables: ['GLANCE_LOGLEVEL', 'GLANCE_MODLE', 'GLANCE_WHATEVER'] });
  });

  it('warns once about an unknown DISCORD_ or SLACK_ name (other tools share the prefix) and still loads', () => {
    const warnings: string[] = [];
    const dir = tempDir();
    const file = join(dir, '.env');
    writeFileSync(file, 'DISCORD_TOKN=abc\n');
    const config = loadServiceConfig({ envFile: file, env: { DISCORD_TOKN: 'abc', SLACK_WEBHOOK_URL: 'https://hooks.example/x', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }, onWarning: (message) => warnings.push(message) });
    expect(config.discordToken).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe('unknown variable DISCORD_TOKN — did you mean DISCORD_TOKEN?');
    expect(warnings[1]).toMatch(/^unknown variable SLACK_WEBHOOK_URL \(ignored\): it is not a glance setting/);
  });

  it('reads a .env file without writing process.env; the environment wins over it and overrides win over both', () => {
    const dir = tempDir();
    const file = join(dir, 'custom.env');
    writeFileSync(file, '# comment\nGLANCE_HTTP_PORT=4000\nGLANCE_HTTP_HOST=0.0.0.0\nGLANCE_MODEL="/models/my bundle"\n');
    const before = process.env.GLANCE_MODEL;
    const config = loadServiceConfig({ envFile: file, env: { GLANCE_HTTP_HOST: '10.1.1.1' }, overrides: { GLANCE_HTTP_PORT: '0' } });
    expect(config.model).toBe('/models/my bundle');
    expect(config.http).toMatchObject({ host: '10.1.1.1', port: 0 });
    expect(process.env.GLANCE_MODEL).toBe(before);
  });

  it('reads .env from the working directory by default, and a bad value there names the variable', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'GLANCE_DATA_DIR=/srv/glance-data\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(loadServiceConfig({ env: {} }).dataDir).toBe('/srv/glance-data');
      expect(loadServiceConfig({ env: {}, envFile: false }).dataDir).toBe('./data');
      writeFileSync(join(dir, '.env'), 'GLANCE_MAX_PIXELS=many\n');
      expect(configError(() => loadServiceConfig({ env: {} })).message).toContain('GLANCE_MAX_PIXELS');
    } finally {
      process.chdir(cwd);
    }
  });

  it('without a .env in the working directory, uses the environment alone', () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(loadServiceConfig({ env: { GLANCE_HTTP_PORT: '3100' } }).http.port).toBe(3100);
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses a named env file that does not exist', () => {
    const error = configError(() => loadServiceConfig({ env: {}, envFile: join(tempDir(), 'missing.env') }));
    expect(error.message).toContain('missing.env');
  });

  it('redactConfig hides the tokens', () => {
    const config = loadServiceConfig({ envFile: false, env: { DISCORD_TOKEN: 'secret-1', HF_TOKEN: 'secret-2' } });
    const shown = JSON.stringify(redactConfig(config));
    expect(shown).not.toContain('secret-');
    expect(shown).toContain('[redacted]');
    expect(config.discordToken).toBe('secret-1');
  });
});

describe('.env.example', () => {
  const examplePath = new URL('../../../.env.example', import.meta.url);
  const example = parseDotenv(readFileSync(examplePath));

  it('documents exactly the variables the service reads, each with its default', () => {
    expect(Object.keys(example).sort()).toEqual(CONFIG_VARIABLES.map((variable) => variable.name).sort());
    for (const variable of CONFIG_VARIABLES) {
      expect(example[variable.name]).toBe('default' in variable ? variable.default : '');
    }
  });

  it('loads as the defaults', () => {
    expect(loadServiceConfig({ env: {}, envFile: examplePath.pathname })).toEqual(DEFAULTS);
  });

  it('every variable is in the table of docs/configuration.md', () => {
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    for (const variable of CONFIG_VARIABLES) expect(doc).toContain(`| \`${variable.name}\` |`);
  });
});
