/**
 * `glance bench-discord`: the Discord adapter's own overhead. The real adapter (real discord.js client) runs against
 * the local fake Discord (test/helpers/fake-discord: REST + gateway + CDN on 127.0.0.1) with the real service on the
 * tiny fixture model. For each of N images posted in an opted-in channel it measures the time from the fake
 * dispatching MESSAGE_CREATE (just before postMessage) to the alt-text reply's POST reaching the fake, and subtracts
 * the model's time (the service result's timingsMs.total): what is left is gateway decoding, the CDN download, the
 * reply formatting and REST — the adapter's overhead (target < 30 ms at the median).
 * `model: 'depth8'` runs the same on random weights of blip2-opt-2.7b-depth8 (int4; the bundle `glance bench-service`
 * converts in .bench/), where the model takes seconds per caption.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDiscordAdapter } from '../adapters/discord/discord-adapter.ts';
import { convertCheckpoint } from '../engine/convert/convert-checkpoint.ts';
import { loadServiceConfig } from '../src/config/service-config.ts';
import { ConversationManager } from '../src/conversation/conversation-manager.ts';
import { GlanceService, type ServiceRequest, type ServiceResult } from '../src/service/glance-service.ts';
import { SettingsStore } from '../src/settings/settings-store.ts';
import { FakeDiscord } from '../test/helpers/fake-discord/fake-discord.ts';
import { ensureBundle } from './service-bench.ts';
import { distribution, distributionRow, type Distribution } from './statistics.ts';

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));
const CHANNEL = '4002';
const AUTHOR = { id: '5001', username: 'bench' };

export interface DiscordBenchOptions {
  /** tiny (default): the tiny fixture model; depth8: random weights of blip2-opt-2.7b-depth8, int4. */
  model?: 'tiny' | 'depth8';
  /** Where `npm run bench` keeps the depth8 checkpoint (default .bench). */
  work?: string;
  messages?: number;
  warmup?: number;
  threads?: number;
}

export interface DiscordBenchReport {
  model: 'tiny' | 'depth8';
  messages: number;
  endToEndMs: Distribution;
  modelMs: Distribution;
  overheadMs: Distribution;
  /** MESSAGE_CREATE dispatched → the service called (gateway, event, settings, CDN download). */
  beforeModelMs: Distribution;
  /** The service's answer → the reply POST at the fake (formatting, discord.js REST). */
  afterModelMs: Distribution;
  host: { cores: number; load1: number };
}

export async function runDiscordBench(options: DiscordBenchOptions = {}): Promise<DiscordBenchReport> {
  const messages = options.messages ?? 30;
  const warmup = options.warmup ?? 5;
  const work = mkdtempSync(join(tmpdir(), 'glance-discord-bench-'));
  const fake = await FakeDiscord.start();
  let service: GlanceService | undefined;
  let settings: SettingsStore | undefined;
  let adapter: Awaited<ReturnType<typeof startDiscordAdapter>> | undefined;
  try {
    const which = options.model ?? 'tiny';
    let bundleDir: string;
    if (which === 'depth8') {
      bundleDir = await ensureBundle(options.work ?? '.bench', 'int4');
    } else {
      bundleDir = join(work, 'bundle');
      await convertCheckpoint({ checkpointDir: join(FIXTURES, 'tiny-blip2-opt'), outDir: bundleDir });
    }
    const config = loadServiceConfig({
      env: {},
      envFile: false,
      overrides: {
        DISCORD_TOKEN: fake.token,
        DISCORD_API_URL: fake.apiUrl,
        DISCORD_MEDIA_HOSTS: fake.cdnHost,
        DISCORD_MESSAGE_CONTENT: 'true',
        GLANCE_DATA_DIR: join(work, 'data'),
        GLANCE_USER_REQUESTS_PER_MINUTE: '10000',
      },
    });
    service = await GlanceService.start({ bundleDir, modelId: which === 'depth8' ? 'blip2-opt-2.7b-depth8' : 'tiny-opt', threads: options.threads, maxPixels: config.limits.maxPixels, cache: config.cache, queue: config.queue });
    const started = service;
    let lastModelMs = 0;
    let runStartedAt = 0;
    let runEndedAt = 0;
    const timed = {
      async run(request: ServiceRequest): Promise<ServiceResult> {
        runStartedAt = performance.now();
        const result = await started.run(request);
        runEndedAt = performance.now();
        lastModelMs = result.timingsMs.total;
        return result;
      },
    };
    settings = SettingsStore.open(config.dataDir);
    settings.setChannelAutoAltText('discord', CHANNEL, true);
    adapter = await startDiscordAdapter({ service: timed, config, settings, conversations: new ConversationManager(config.conversation) });
    await fake.waitForReady();
    const image = readFileSync(join(FIXTURES, 'images', 'astronaut.png'));
    const endToEnd: number[] = [];
    const model: number[] = [];
    const before: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < warmup + messages; i++) {
      const seen = fake.requests.length;
      const start = performance.now();
      const replied = fake.waitForRequest((request) => fake.requests.indexOf(request) >= seen && request.method === 'POST' && request.path === `/channels/${CHANNEL}/messages`, 600_000);
      await fake.postMessage({ channelId: CHANNEL, author: AUTHOR, attachments: [{ filename: `photo${i}.png`, bytes: image, contentType: 'image/png', width: 512, height: 512 }] });
      await replied;
      const end = performance.now();
      if (i >= warmup) {
        endToEnd.push(end - start);
        model.push(lastModelMs);
        before.push(runStartedAt - start);
        after.push(end - runEndedAt);
      }
    }
    const overhead = endToEnd.map((ms, i) => ms - model[i]);
    return {
      model: which,
      messages,
      endToEndMs: distribution(endToEnd),
      modelMs: distribution(model),
      overheadMs: distribution(overhead),
      beforeModelMs: distribution(before),
      afterModelMs: distribution(after),
      host: { cores: availableParallelism(), load1: loadavg()[0] },
    };
  } finally {
    await adapter?.close({ graceMs: 1000 });
    settings?.close();
    await service?.close();
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export function renderDiscordReport(report: DiscordBenchReport): string {
  const row = distributionRow;
  return [
    `Discord adapter, ${report.model === 'depth8' ? 'blip2-opt-2.7b-depth8 random weights (int4)' : 'tiny model'}, ${report.messages} messages (${report.host.cores} cores, load ${report.host.load1.toFixed(2)}):`,
    '',
    '| ms | median | p95 |',
    '| --- | --- | --- |',
    row('MESSAGE_CREATE → reply POST', report.endToEndMs),
    row('model (service timings total)', report.modelMs),
    row('adapter overhead (difference)', report.overheadMs),
    row('… before the model: gateway, event, CDN download', report.beforeModelMs),
    row('… after the model: reply formatting, REST', report.afterModelMs),
    '',
  ].join('\n');
}
