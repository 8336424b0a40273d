/**
 * The Slack adapter's own overhead. The real adapter (real Bolt) runs against the local fake Slack
 * (test/helpers/fake-slack: Web API, Socket Mode WebSocket, file host and signed delivery on 127.0.0.1) with the real
 * service on the tiny fixture model. For each of N mentions with an image, it measures the time from the event being
 * sent (a signed POST to /slack/events, or a Socket Mode envelope) to the answer's chat.postMessage reaching the
 * fake, and subtracts the model's time (the service result's timingsMs.total): what is left is event delivery,
 * Bolt, the file download, formatting and the Web API call — the adapter's overhead (target < 30 ms).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSlackAdapter } from '../adapters/slack/slack-adapter.ts';
import { convertCheckpoint } from '../engine/convert/convert-checkpoint.ts';
import { loadServiceConfig } from '../src/config/service-config.ts';
import { ConversationManager } from '../src/conversation/conversation-manager.ts';
import { GlanceService, type ServiceRequest, type ServiceResult } from '../src/service/glance-service.ts';
import { SettingsStore } from '../src/settings/settings-store.ts';
import { FakeSlack } from '../test/helpers/fake-slack/fake-slack.ts';
import { distribution, distributionRow, type Distribution } from './statistics.ts';

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));
const CHANNEL = 'C0001';
const USER = 'U0BENCH';

export interface SlackBenchOptions {
  mode?: 'http' | 'socket';
  mentions?: number;
  warmup?: number;
  threads?: number;
}

export interface SlackBenchReport {
  mode: 'http' | 'socket';
  mentions: number;
  endToEndMs: Distribution;
  modelMs: Distribution;
  overheadMs: Distribution;
  /** Event sent → the service called (delivery, Bolt, de-duplication, resolution, download). */
  beforeModelMs: Distribution;
  /** The service's answer → chat.postMessage at the fake (formatting, Web API). */
  afterModelMs: Distribution;
  host: { cores: number; load1: number };
}

export async function runSlackBench(options: SlackBenchOptions = {}): Promise<SlackBenchReport> {
  const mode = options.mode ?? 'http';
  const mentions = options.mentions ?? 30;
  const warmup = options.warmup ?? 5;
  const work = mkdtempSync(join(tmpdir(), 'glance-slack-bench-'));
  const fake = await FakeSlack.start();
  let service: GlanceService | undefined;
  let settings: SettingsStore | undefined;
  let adapter: Awaited<ReturnType<typeof startSlackAdapter>> | undefined;
  try {
    const bundleDir = join(work, 'bundle');
    await convertCheckpoint({ checkpointDir: join(FIXTURES, 'tiny-blip2-opt'), outDir: bundleDir });
    const modeVariables = mode === 'http' ? { SLACK_SIGNING_SECRET: fake.signingSecret, SLACK_PORT: '0' } : { SLACK_APP_TOKEN: fake.appToken };
    const config = loadServiceConfig({
      env: {},
      envFile: false,
      overrides: {
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_API_URL: fake.apiUrl,
        SLACK_FILE_HOSTS: fake.fileHost,
        ...modeVariables,
        GLANCE_DATA_DIR: join(work, 'data'),
        GLANCE_USER_REQUESTS_PER_MINUTE: '10000',
      },
    });
    service = await GlanceService.start({ bundleDir, modelId: 'tiny-opt', threads: options.threads, maxPixels: config.limits.maxPixels, cache: config.cache, queue: config.queue });
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
    adapter = await startSlackAdapter({ service: timed, config, settings, conversations: new ConversationManager(config.conversation) });
    if (mode === 'socket') await fake.waitForSocket();
    const image = readFileSync(join(FIXTURES, 'images', 'astronaut.png'));
    const endToEnd: number[] = [];
    const model: number[] = [];
    const before: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < warmup + mentions; i++) {
      const file = fake.addFile({ name: `photo${i}.png`, bytes: image, user: USER });
      const event = fake.mentionEvent({ channel: CHANNEL, user: USER, text: 'what is in the picture?', files: [file] });
      const ts = event.event.ts;
      const replied = fake.waitForCall('chat.postMessage', (call) => call.args.thread_ts === ts, 600_000);
      const start = performance.now();
      if (mode === 'http') {
        const delivered = await fake.postEvent(adapter.url!, event);
        if (delivered.status !== 200) throw new Error(`the adapter answered ${delivered.status}: ${delivered.body}`);
      } else {
        await fake.sendSocket(event, { type: 'events_api' });
      }
      await replied;
      const end = performance.now();
      if (i >= warmup) {
        endToEnd.push(end - start);
        model.push(lastModelMs);
        before.push(runStartedAt - start);
        after.push(end - runEndedAt);
      }
    }
    return {
      mode,
      mentions,
      endToEndMs: distribution(endToEnd),
      modelMs: distribution(model),
      overheadMs: distribution(endToEnd.map((ms, i) => ms - model[i])),
      beforeModelMs: distribution(before),
      afterModelMs: distribution(after),
      host: { cores: availableParallelism(), load1: loadavg()[0] },
    };
  } finally {
    await adapter?.close();
    settings?.close();
    await service?.close();
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export function renderSlackReport(report: SlackBenchReport): string {
  const row = distributionRow;
  const delivery = report.mode === 'http' ? 'signed POST /slack/events' : 'Socket Mode envelope';
  return [
    `Slack adapter over ${report.mode === 'http' ? 'HTTP' : 'Socket Mode'}, tiny model, ${report.mentions} mentions (${report.host.cores} cores, load ${report.host.load1.toFixed(2)}):`,
    '',
    '| ms | median | p95 |',
    '| --- | --- | --- |',
    row(`${delivery} → chat.postMessage`, report.endToEndMs),
    row('model (service timings total)', report.modelMs),
    row('adapter overhead (difference)', report.overheadMs),
    row('… before the model: delivery, Bolt, file download', report.beforeModelMs),
    row('… after the model: formatting, Web API', report.afterModelMs),
    '',
  ].join('\n');
}
