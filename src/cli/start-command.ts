/**
 * `glance start`: read the configuration, make the model ready (the demo fixture, a bundle, a checkpoint folder or a
 * Hub id), open the settings store (SQLite in GLANCE_DATA_DIR) and the conversation memory, start the service, serve
 * the HTTP playground and API (always: /healthz is the container's health check), with DISCORD_TOKEN run the
 * Discord bot, and with SLACK_BOT_TOKEN the Slack app (Socket Mode or HTTP mode; an incomplete Slack configuration
 * stops start-up before the model is loaded). Both chat platforms can run in one process.
 * SIGINT/SIGTERM shut down gracefully: the chat adapters stop taking work first and let theirs reply, in-flight
 * work finishes (or is cancelled after the service's grace), the stores close, then exit 0.
 */
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { startHttpAdapter } from '../../adapters/http/http-adapter.ts';
import { startDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/discord-adapter.ts';
import { WITHOUT_MESSAGE_CONTENT } from '../../adapters/discord/discord-client.ts';
import { startSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack-adapter.ts';
import { slackMode } from '../../adapters/slack/slack-mode.ts';
import { ConversationManager } from '../conversation/conversation-manager.ts';
import { SettingsStore } from '../settings/settings-store.ts';
import { loadServiceConfig, type ServiceConfig } from '../config/service-config.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { createServiceMetrics } from '../metrics/service-metrics.ts';
import type { ModelProgress } from '../models/model-progress.ts';
import { demoModel, resolveModel } from '../models/resolve-model.ts';
import { GlanceService } from '../service/glance-service.ts';
import { createProgressBar, type ProgressBar } from './progress-bar.ts';

export interface StartFlags {
  model?: string;
  demo?: boolean;
  host?: string;
  port?: string;
  dataDir?: string;
}

export const NO_MODEL_MESSAGE = [
  'No model is configured. Give one with --model <model> or GLANCE_MODEL=<model> (environment or .env), where <model> is',
  '  a bundle folder written by `glance convert`, a Hugging Face BLIP-2 checkpoint folder (converted once), or a Hub id',
  '  such as Salesforce/blip2-opt-2.7b (downloaded and converted once into GLANCE_DATA_DIR, default ./data).',
  'To try glance right away on the tiny test model (random weights: exact but meaningless captions): npm start -- --demo',
].join('\n');

function configFrom(flags: StartFlags): ServiceConfig {
  const overrides: Record<string, string> = {};
  if (flags.model !== undefined) overrides.GLANCE_MODEL = flags.model;
  if (flags.host !== undefined) overrides.GLANCE_HTTP_HOST = flags.host;
  if (flags.port !== undefined) overrides.GLANCE_HTTP_PORT = flags.port;
  if (flags.dataDir !== undefined) overrides.GLANCE_DATA_DIR = flags.dataDir;
  return loadServiceConfig({ overrides });
}

/** Any Slack variable set means the Slack app is wanted: check the combination now, before the model is loaded. */
function checkSlackConfig(config: ServiceConfig): boolean {
  const wanted = [config.slackBotToken, config.slackAppToken, config.slackSigningSecret, config.slack.port].some((value) => value !== undefined);
  if (wanted) slackMode(config);
  return wanted;
}

function progressBars(): { report: (progress: ModelProgress) => void; stop: () => void } {
  const bars = new Map<string, ProgressBar>();
  return {
    report(progress) {
      const key = `${progress.phase}:${progress.file ?? ''}`;
      let bar = bars.get(key);
      if (!bar) {
        bar = createProgressBar(progress.phase === 'download' ? `downloading ${progress.file ?? ''}` : 'converting', { divisor: 1e6, label: 'MB' });
        bars.set(key, bar);
      }
      bar.report(progress.done, progress.total);
      if (progress.done >= progress.total) bar.stop();
    },
    stop() {
      for (const bar of bars.values()) bar.stop();
    },
  };
}

async function readyModel(flags: StartFlags, config: ServiceConfig, log: Logger): Promise<{ bundleDir: string; modelId: string }> {
  if (flags.demo && config.model !== undefined) {
    throw new GlanceError(ErrorCode.ConfigInvalid, `--demo runs the tiny fixture model, but a model is also configured (${config.model}); use one of them.`);
  }
  const bars = progressBars();
  try {
    if (flags.demo) return await demoModel(config.dataDir, { log, onProgress: bars.report });
    if (config.model === undefined) throw new GlanceError(ErrorCode.ModelUnavailable, NO_MODEL_MESSAGE);
    return await resolveModel(config.model, { dataDir: config.dataDir, log, onProgress: bars.report, hubUrl: config.hub.url, accessToken: config.hub.accessToken });
  } finally {
    bars.stop();
  }
}

/** Runs the service until SIGINT/SIGTERM; resolves after the graceful shutdown. */
export async function runStart(flags: StartFlags): Promise<void> {
  const config = configFrom(flags);
  const slackWanted = checkSlackConfig(config);
  const log = createLogger(config.logLevel);
  const settings = SettingsStore.open(config.dataDir);
  const conversations = new ConversationManager(config.conversation);
  let model;
  let service;
  const metrics = createServiceMetrics();
  try {
    model = await readyModel(flags, config, log);
    service = await GlanceService.start({
      bundleDir: model.bundleDir,
      modelId: model.modelId,
      provider: config.provider,
      threads: config.threads,
      maxPixels: config.limits.maxPixels,
      cache: config.cache,
      queue: config.queue,
      generationLimits: { maxBeams: config.limits.maxBeams, maxNewTokens: config.limits.maxNewTokens },
      metrics,
      log,
    });
  } catch (error) {
    settings.close();
    throw error;
  }
  let http;
  let discord: DiscordAdapter | undefined;
  let slack: SlackAdapter | undefined;
  try {
    http = await startHttpAdapter({ service, config: { ...config, model: model.modelId }, metrics, log });
    if (config.discordToken) {
      if (!config.discord.messageContent) {
        log.warn({ component: 'discord' }, WITHOUT_MESSAGE_CONTENT);
        process.stdout.write(`glance: ${WITHOUT_MESSAGE_CONTENT}\n`);
      }
      discord = await startDiscordAdapter({ service, config, settings, conversations, log });
    }
    if (slackWanted) slack = await startSlackAdapter({ service, config, settings, conversations, log });
  } catch (error) {
    await discord?.close();
    await http?.close();
    await service.close();
    settings.close();
    throw error;
  }
  const runs = [
    'the HTTP playground and API',
    ...(discord ? [`the Discord bot ${discord.user.tag}`] : []),
    ...(slack ? [slack.mode === 'socket' ? 'the Slack app (Socket Mode)' : `the Slack app (HTTP mode, events at ${slack.url})`] : []),
  ];
  const hint = discord || slack ? '' : ' (set DISCORD_TOKEN or SLACK_BOT_TOKEN to run the chat bots)';
  process.stdout.write(`glance: serving ${model.modelId} at ${http.url} (playground: ${http.url}/, API: ${http.url}/v1/…)\n`);
  process.stdout.write(`glance: running ${runs.join(' and ')}${hint}\n`);

  // A library promise that rejects with nobody listening (e.g. @slack/socket-mode on an envelope whose event is
  // null) would end the process under Node's default; a remote input must not take the bot down, so log and serve on.
  const unhandled = (reason: unknown) => log.error({ err: reason }, 'unhandled promise rejection (a library fault); glance keeps serving');
  process.on('unhandledRejection', unhandled);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'shutting down: no new requests, finishing the ones in flight');
      Promise.all([discord?.close(), slack?.close()])
        .then(() => Promise.all([http.close(), service.close()]))
        .then(() => settings.close())
        .catch((error) => {
          log.error({ err: error }, 'shutdown failed');
          process.exitCode = 1;
        })
        .finally(() => {
          process.off('SIGINT', shutdown);
          process.off('SIGTERM', shutdown);
          process.off('unhandledRejection', unhandled);
          log.info('stopped');
          resolve();
        });
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}
