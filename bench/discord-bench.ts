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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDiscordAdapter } from '../adapters/discord/discord-adapter.ts';
import { loadServiceConfig } from '../src/config/service-config.ts';
import { ConversationManager } from '../src/conversation/conversation-manager.ts';
import type { GlanceService } from '../src/service/glance-service.ts';
import { SettingsStore } from '../src/settings/settings-store.ts';
import { FakeDiscord } from '../test/helpers/fake-discord/fake-discord.ts';
import { FIXTURES, OverheadSamples, TimedService, benchModelLabel, renderOverheadTable, startBenchService, type BenchModel, type OverheadReport } from './adapter-overhead.ts';

const CHANNEL = '4002';
const AUTHOR = { id: '5001', username: 'bench' };

export interface DiscordBenchOptions {
  /** tiny (default): the tiny fixture model; depth8: random weights of blip2-opt-2.7b-depth8, int4. */
  model?: BenchModel;
  /** Where `npm run bench` keeps the depth8 checkpoint (default .bench). */
  work?: string;
  messages?: number;
  warmup?: number;
  threads?: number;
  /** Pause before each message (default 0: back to back, the worst case for a busy channel). */
  gapMs?: number;
}

export interface DiscordBenchReport extends OverheadReport {
  model: BenchModel;
}

export async function runDiscordBench(options: DiscordBenchOptions = {}): Promise<DiscordBenchReport> {
  const model = options.model ?? 'tiny';
  const messages = options.messages ?? 100;
  const warmup = options.warmup ?? 5;
  const work = mkdtempSync(join(tmpdir(), 'glance-discord-bench-'));
  const fake = await FakeDiscord.start();
  let service: GlanceService | undefined;
  let settings: SettingsStore | undefined;
  let adapter: Awaited<ReturnType<typeof startDiscordAdapter>> | undefined;
  try {
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
    service = await startBenchService(model, work, config, { threads: options.threads, benchWork: options.work });
    const timed = new TimedService(service);
    settings = SettingsStore.open(config.dataDir);
    settings.setChannelAutoAltText('discord', CHANNEL, true);
    adapter = await startDiscordAdapter({ service: timed, config, settings, conversations: new ConversationManager(config.conversation) });
    await fake.waitForReady();
    const image = readFileSync(join(FIXTURES, 'images', 'astronaut.png'));
    const samples = new OverheadSamples();
    for (let i = 0; i < warmup + messages; i++) {
      if (options.gapMs) await new Promise((resolve) => setTimeout(resolve, options.gapMs));
      const seen = fake.requests.length;
      const start = performance.now();
      const replied = fake.waitForRequest((request) => fake.requests.indexOf(request) >= seen && request.method === 'POST' && request.path === `/channels/${CHANNEL}/messages`, 600_000);
      await fake.postMessage({ channelId: CHANNEL, author: AUTHOR, attachments: [{ filename: `photo${i}.png`, bytes: image, contentType: 'image/png', width: 512, height: 512 }] });
      await replied;
      if (i >= warmup) samples.add(start, performance.now(), timed);
    }
    return { model, ...samples.report() };
  } finally {
    await adapter?.close({ graceMs: 1000 });
    settings?.close();
    await service?.close();
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export function renderDiscordReport(report: DiscordBenchReport): string {
  return [
    `Discord adapter, ${benchModelLabel(report.model)}, ${report.samples} messages (${report.host.cores} cores, load ${report.host.load1.toFixed(2)}):`,
    '',
    ...renderOverheadTable(report, { endToEnd: 'MESSAGE_CREATE → reply POST', before: 'gateway, event, CDN download', after: 'reply formatting, REST' }),
    '',
  ].join('\n');
}
