/**
 * The Slack adapter's own overhead. The real adapter (real Bolt) runs against the local fake Slack
 * (test/helpers/fake-slack: Web API, Socket Mode WebSocket, file host and signed delivery on 127.0.0.1) with the real
 * service on the tiny fixture model (or depth8 random weights). For each of N mentions with an image, it measures the time from the event being
 * sent (a signed POST to /slack/events, or a Socket Mode envelope) to the answer's chat.postMessage reaching the
 * fake, and subtracts the model's time (the service result's timingsMs.total): what is left is event delivery,
 * Bolt, the file download, formatting and the Web API call — the adapter's overhead (target < 30 ms).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackAdapter } from '../adapters/slack/slack-adapter.ts';
import { loadServiceConfig } from '../src/config/service-config.ts';
import { ConversationManager } from '../src/conversation/conversation-manager.ts';
import type { GlanceService } from '../src/service/glance-service.ts';
import { SettingsStore } from '../src/settings/settings-store.ts';
import { FakeSlack } from '../test/helpers/fake-slack/fake-slack.ts';
import { FIXTURES, OverheadSamples, TimedService, benchModelLabel, renderOverheadTable, startBenchService, type BenchModel, type OverheadReport } from './adapter-overhead.ts';

const CHANNEL = 'C0001';
const USER = 'U0BENCH';

export interface SlackBenchOptions {
  mode?: 'http' | 'socket';
  /** tiny (default): the tiny fixture model; depth8: random weights of blip2-opt-2.7b-depth8, int4. */
  model?: BenchModel;
  /** Where `npm run bench` keeps the depth8 checkpoint (default .bench). */
  work?: string;
  mentions?: number;
  warmup?: number;
  threads?: number;
}

export interface SlackBenchReport extends OverheadReport {
  mode: 'http' | 'socket';
  model: BenchModel;
}

export async function runSlackBench(options: SlackBenchOptions = {}): Promise<SlackBenchReport> {
  const mode = options.mode ?? 'http';
  const model = options.model ?? 'tiny';
  const mentions = options.mentions ?? 100;
  const warmup = options.warmup ?? 5;
  const work = mkdtempSync(join(tmpdir(), 'glance-slack-bench-'));
  const fake = await FakeSlack.start();
  let service: GlanceService | undefined;
  let settings: SettingsStore | undefined;
  let adapter: Awaited<ReturnType<typeof startSlackAdapter>> | undefined;
  try {
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
    service = await startBenchService(model, work, config, { threads: options.threads, benchWork: options.work });
    const timed = new TimedService(service);
    settings = SettingsStore.open(config.dataDir);
    adapter = await startSlackAdapter({ service: timed, config, settings, conversations: new ConversationManager(config.conversation) });
    if (mode === 'socket') await fake.waitForSocket();
    const image = readFileSync(join(FIXTURES, 'images', 'astronaut.png'));
    const samples = new OverheadSamples();
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
      if (i >= warmup) samples.add(start, performance.now(), timed);
    }
    return { mode, model, ...samples.report() };
  } finally {
    await adapter?.close();
    settings?.close();
    await service?.close();
    await fake.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export function renderSlackReport(report: SlackBenchReport): string {
  const delivery = report.mode === 'http' ? 'signed POST /slack/events' : 'Socket Mode envelope';
  return [
    `Slack adapter over ${report.mode === 'http' ? 'HTTP' : 'Socket Mode'}, ${benchModelLabel(report.model)}, ${report.samples} mentions (${report.host.cores} cores, load ${report.host.load1.toFixed(2)}):`,
    '',
    ...renderOverheadTable(report, { endToEnd: `${delivery} → chat.postMessage`, before: 'delivery, Bolt, file download', after: 'formatting, Web API' }),
    '',
  ].join('\n');
}
