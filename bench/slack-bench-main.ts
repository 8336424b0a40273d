/** `node --import tsx bench/slack-bench-main.ts [--mentions 30]`: the Slack adapter's overhead over HTTP and Socket Mode. */
import { parseArgs } from 'node:util';
import { renderSlackReport, runSlackBench } from './slack-bench.ts';

const { values } = parseArgs({ options: { mentions: { type: 'string', default: '30' } } });
const mentions = Number(values.mentions);
if (!Number.isInteger(mentions) || mentions < 1) {
  console.error(`--mentions must be a positive integer (got ${values.mentions})`);
  process.exit(1);
}
for (const mode of ['http', 'socket'] as const) {
  process.stdout.write(`${renderSlackReport(await runSlackBench({ mode, mentions }))}\n`);
}
