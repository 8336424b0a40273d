/**
 * `glance start`: read the configuration, make the model ready (the demo model glance makes itself, a bundle, a checkpoint folder or a
 * Hub id), open the settings store (SQLite in GLANCE_DATA_DIR) and the conversation memory, start the service, serve
 * the HTTP playground and API (always: /healthz is the container's health check), with DISCORD_TOKEN run the
 * Discord bot, and with SLACK_BOT_TOKEN the Slack app (Socket Mode or HTTP mode; an incomplete Slack configuration
 * stops start-up before the model is loaded). Both chat platforms can run in one process.
 * Before the model is made ready, the HTTP address is probed (a taken port is CONFIG_INVALID at once, not after a
 * download) and the SIGINT/SIGTERM handlers are installed: a signal during start-up stops the download or conversion
 * and exits non-zero (ABORTED, "start-up was interrupted"). Once serving, SIGINT/SIGTERM shut down gracefully: the
 * chat adapters stop taking work first and let theirs reply, in-flight work finishes (or is cancelled after the
 * service's grace), the stores close, then exit 0. An engine that crashed and could not be re-opened after every
 * retry shuts glance down the same way with exit code 1, so a container restart policy takes over.
 */
import { ErrorCode, GlanceError } from '../engine/errors.ts';
import { startHttpAdapter } from '../adapters/http/http-adapter.ts';
import { startDiscordAdapter, type DiscordAdapter } from '../adapters/discord/discord-adapter.ts';
import { WITHOUT_MESSAGE_CONTENT } from '../adapters/discord/discord-client.ts';
import { startSlackAdapter, type SlackAdapter } from '../adapters/slack/slack-adapter.ts';
import { slackMode } from '../adapters/slack/slack-mode.ts';
import { ConversationManager } from '../src/conversation/conversation-manager.ts';
import { SettingsStore } from '../src/settings/settings-store.ts';
import { type ServiceConfig } from '../src/config/service-config.ts';
import { checkModelFlags } from './cli-model.ts';
import { loadConfigWithFlags } from './flag-config.ts';
import { createLogger, wantsPrettyLogs, type Logger } from '../src/log/logger.ts';
import { createServiceMetrics } from '../src/metrics/service-metrics.ts';
import { demoModel } from '../src/models/demo-model.ts';
import { resolveModel } from '../src/models/resolve-model.ts';
import { GlanceService } from '../src/service/glance-service.ts';
import { modelProgressBars as progressBars } from './model-progress-bars.ts';
import { probeListenAddress } from './port-probe.ts';

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
  'To try glance right away on the tiny demo model glance makes itself (random weights: exact but meaningless captions; no download): npm start -- --demo',
].join('\n');

function configFrom(flags: StartFlags): ServiceConfig {
  return loadConfigWithFlags([
    ['--model', 'GLANCE_MODEL', flags.model],
    ['--host', 'GLANCE_HTTP_HOST', flags.host],
    ['--port', 'GLANCE_HTTP_PORT', flags.port],
    ['--data-dir', 'GLANCE_DATA_DIR', flags.dataDir],
  ]);
}

/** Any Slack variable set means the Slack app is wanted: check the combination now, before the model is loaded. */
function checkSlackConfig(config: ServiceConfig): boolean {
  const wanted = [config.slackBotToken, config.slackAppToken, config.slackSigningSecret, config.slack.port].some((value) => value !== undefined);
  if (wanted) slackMode(config);
  return wanted;
}

/**
 * The configuration with the model to run: --demo is a flag, so it wins over GLANCE_MODEL from the environment or
 * .env (said on stdout) but not over --model (both flags: refused). No model at all is refused. Both refusals come
 * before anything is opened or created (no ./data left behind).
 */
function chooseModel(flags: StartFlags, config: ServiceConfig): ServiceConfig {
  checkModelFlags(flags);
  if (flags.demo && config.model !== undefined) {
    process.stdout.write(`glance: --demo runs the tiny demo model; GLANCE_MODEL (${config.model}) is not used this time.\n`);
    const { model: _unused, ...withoutModel } = config;
    return withoutModel;
  }
  if (!flags.demo && config.model === undefined) throw new GlanceError(ErrorCode.ModelUnavailable, NO_MODEL_MESSAGE);
  return config;
}

async function readyModel(config: ServiceConfig, log: Logger, signal: AbortSignal): Promise<{ bundleDir: string; modelId: string; source: string }> {
  const bars = progressBars();
  try {
    // chooseModel let no model through only with --demo (and --demo only without one).
    if (config.model === undefined) return await demoModel(config.dataDir, { log, onProgress: bars.report, signal });
    return await resolveModel(config.model, { dataDir: config.dataDir, log, onProgress: bars.report, hubUrl: config.hub.url, accessToken: config.hub.accessToken, signal });
  } finally {
    bars.stop();
  }
}

/**
 * The URL to open on this machine: a server listening on every address (0.0.0.0, ::) is not at http://0.0.0.0:port
 * for every browser, so the links name the loopback address instead.
 */
export function onThisMachine(url: string): string {
  return url.replace(/^http:\/\/0\.0\.0\.0:/, 'http://127.0.0.1:').replace(/^http:\/\/\[::\]:/, 'http://[::1]:');
}

/** Runs the service until SIGINT/SIGTERM (or a fatal engine failure); resolves after the graceful shutdown. */
export async function runStart(flags: StartFlags): Promise<void> {
  const config = chooseModel(flags, configFrom(flags));
  const slackWanted = checkSlackConfig(config);
  const log = createLogger(config.logLevel, undefined, { pretty: wantsPrettyLogs(config.logFormat) });

  // The signal handlers come first: Ctrl-C / SIGTERM during a first-run download or conversion stops it and exits
  // (non-zero); once serving, they shut down gracefully.
  const startup = new AbortController();
  let onServingSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (onServingSignal) return onServingSignal(signal);
    if (startup.signal.aborted) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.warn({ signal }, 'start-up interrupted: stopping');
    startup.abort(new GlanceError(ErrorCode.Aborted, `start-up was interrupted by ${signal}, nothing was served. Finished and partial downloads are kept: glance start goes on from them.`, { signal }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const removeSignalHandlers = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  let onFatal: ((error: GlanceError) => void) | undefined;

  let settings: SettingsStore | undefined;
  let model;
  let service: GlanceService | undefined;
  const metrics = createServiceMetrics();
  try {
    // A taken port is found now, not after a 15 GB download.
    await probeListenAddress(config.http.host, config.http.port);
    settings = SettingsStore.open(config.dataDir);
    model = await readyModel(config, log, startup.signal);
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
      onEngineFatal: (error) => onFatal?.(error),
    });
    startup.signal.throwIfAborted();
  } catch (error) {
    await service?.close({ graceMs: 0 });
    settings?.close();
    removeSignalHandlers();
    throw error;
  }
  const conversations = new ConversationManager(config.conversation);
  let http;
  let discord: DiscordAdapter | undefined;
  let slack: SlackAdapter | undefined;
  try {
    // The demo model's weights are random: the playground says so, and how to serve a real model.
    http = await startHttpAdapter({ service, config: { ...config, model: model.modelId }, metrics, log, randomWeights: model.source === 'demo' });
    if (config.discordToken) {
      if (!config.discord.messageContent) {
        // Said once, as a log line (readable on a terminal; JSON for collectors otherwise).
        log.warn({ component: 'discord' }, WITHOUT_MESSAGE_CONTENT);
      }
      discord = await startDiscordAdapter({ service, config, settings, conversations, log });
    }
    if (slackWanted) slack = await startSlackAdapter({ service, config, settings, conversations, log });
    startup.signal.throwIfAborted();
  } catch (error) {
    await slack?.close();
    await discord?.close();
    await http?.close();
    await service.close({ graceMs: 0 });
    settings.close();
    removeSignalHandlers();
    throw error;
  }
  const runs = [
    'the HTTP playground and API',
    ...(discord ? [`the Discord bot ${discord.user.tag}`] : []),
    ...(slack ? [slack.mode === 'socket' ? 'the Slack app (Socket Mode)' : `the Slack app (HTTP mode, events at ${slack.url})`] : []),
  ];
  const hint = discord || slack ? '' : ' (set DISCORD_TOKEN or SLACK_BOT_TOKEN to run the chat bots)';
  const local = onThisMachine(http.url);
  const where = local === http.url ? '' : 'every address of this machine; ';
  process.stdout.write(`glance: serving ${model.modelId} at ${http.url} (${where}playground: ${local}/, API: ${local}/v1/…)\n`);
  process.stdout.write(`glance: running ${runs.join(' and ')}${hint}\n`);

  // A library promise that rejects with nobody listening (e.g. @slack/socket-mode on an envelope whose event is
  // null) would end the process under Node's default; a remote input must not take the bot down, so log and serve on.
  const unhandled = (reason: unknown) => log.error({ err: reason }, 'unhandled promise rejection (a library fault); glance keeps serving');
  process.on('unhandledRejection', unhandled);

  const running = { service, http, settings, discord, slack };
  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (why: { signal: NodeJS.Signals } | { fatal: GlanceError }) => {
      if (stopping) {
        if ('signal' in why) {
          log.warn({ signal: why.signal }, 'second signal: exiting now');
          process.exit(1);
        }
        return;
      }
      stopping = true;
      if ('fatal' in why) {
        // The engine crashed and every try to re-open it failed: exit non-zero so a restart policy starts glance afresh.
        log.fatal({ err: why.fatal }, 'the engine could not be restarted; exiting so that the process supervisor can start glance again');
        process.stderr.write(`glance: error [${why.fatal.code}]: ${why.fatal.message}. Exiting so that a restart policy (Docker, systemd) can start glance again.\n`);
        process.exitCode = 1;
      } else {
        log.info({ signal: why.signal }, 'shutting down: no new requests, finishing the ones in flight');
      }
      Promise.all([running.discord?.close(), running.slack?.close()])
        .then(() => Promise.all([running.http.close(), running.service.close()]))
        .then(() => running.settings.close())
        .catch((error) => {
          log.error({ err: error }, 'shutdown failed');
          process.exitCode = 1;
        })
        .finally(() => {
          removeSignalHandlers();
          process.off('unhandledRejection', unhandled);
          log.info('stopped');
          resolve();
        });
    };
    onServingSignal = (signal) => shutdown({ signal });
    onFatal = (fatal) => shutdown({ fatal });
    // A fatal failure reported before this point (between start and here) is acted on now.
    const fatal = service.engineFatal();
    if (fatal) shutdown({ fatal });
  });
}
