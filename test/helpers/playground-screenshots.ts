/**
 * Regenerates the playground screenshots in docs/images/ (a dev script, not a test): the real page on the demo model
 * (made in a temporary data directory exactly as `glance start --demo` makes it; random weights: the notice shows),
 * in Debian's Chromium, after a caption and two questions about the astronaut photo. Run it from the repository root:
 *
 *   node --import tsx test/helpers/playground-screenshots.ts
 *
 * It writes docs/images/playground.png (1280 px wide) and docs/images/playground-phone.png (390 px, a phone), each a
 * full-page PNG with a 256-colour palette (sharp), to stay small.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { startHttpAdapter } from '../../adapters/http/http-adapter.ts';
import { createServiceMetrics } from '../../src/metrics/service-metrics.ts';
import { DEMO_MODEL_ID, demoModel } from '../../src/models/demo-model.ts';
import { GlanceService } from '../../src/service/glance-service.ts';
import { loadServiceConfig } from '../../src/config/service-config.ts';
import { IMAGES } from './fixtures.ts';

const OUT = new URL('../../docs/images/', import.meta.url).pathname;
const QUESTIONS = ['what is in the picture?', 'what color is the sky?'];

/** Captions the photo and asks the questions, as a user would. */
async function useThePage(page: Page): Promise<void> {
  await page.getByLabel('Max new tokens').fill('20');
  await page.getByLabel('Choose an image').setInputFiles(join(IMAGES, 'astronaut.png'));
  await page.locator('#caption[data-state="done"]').waitFor();
  for (const [index, question] of QUESTIONS.entries()) {
    await page.getByLabel('Question', { exact: true }).fill(question);
    await page.getByLabel('Question', { exact: true }).press('Enter');
    await page.locator(`#conversation li:nth-child(${2 * index + 2}) .output[data-state="done"]`).waitFor();
  }
  await page.locator('h1').click(); // no focus ring left on the question box
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'glance-screenshots-'));
  const demo = await demoModel(dataDir);
  const config = loadServiceConfig({ env: {}, envFile: false, overrides: { GLANCE_MODEL: DEMO_MODEL_ID, GLANCE_HTTP_PORT: '0' } });
  const metrics = createServiceMetrics({ processMetrics: false });
  const service = await GlanceService.start({ bundleDir: demo.bundleDir, modelId: DEMO_MODEL_ID, threads: 1, maxPixels: config.limits.maxPixels, cache: config.cache, queue: config.queue, metrics });
  const http = await startHttpAdapter({ service, config, metrics, randomWeights: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars'] });
  try {
    for (const [file, viewport] of [['playground.png', { width: 1280, height: 900 }], ['playground-phone.png', { width: 390, height: 844 }]] as const) {
      const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
      await page.goto(`${http.url}/`);
      await useThePage(page);
      // A 256-colour palette keeps each file well under 300 KB (the photo is most of it).
      const shot = await page.screenshot({ fullPage: true });
      writeFileSync(join(OUT, file), await sharp(shot).png({ palette: true, colours: 256, compressionLevel: 9, effort: 10 }).toBuffer());
      await page.close();
      process.stdout.write(`wrote docs/images/${file}\n`);
    }
  } finally {
    await browser.close();
    await http.close();
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
