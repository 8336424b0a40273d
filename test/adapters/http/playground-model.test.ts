// The playground says what it serves: the model id and kind; for a model with random weights (glance start --demo) a
// notice near the top that its text is meaningless and how to serve a real model.
import { describe, expect, it } from 'vitest';
import { REAL_MODEL_COMMAND, modelBannerHtml, modelKind } from '../../../adapters/http/playground-model.ts';
import { useTestServer } from './http-test-server.ts';
import { useBrowser } from './playground-browser.ts';

const server = useTestServer();
const openPage = useBrowser();

describe('the playground names its model', () => {
  it('a real model: its id and kind, and no notice', async () => {
    const page = await openPage(server().url);
    expect(await page.locator('#model-id').textContent()).toBe('tiny-opt');
    expect(await page.locator('#model-info').textContent()).toBe(`Serving tiny-opt: BLIP-2 with an OPT language model, ${server().service.manifest.dtype} weights.`);
    expect(await page.getByRole('note').count()).toBe(0);
    await page.close();
  });

  it('a random-weight model: a visible notice near the top says its text is meaningless and how to serve a real one', async () => {
    const url = await server().startAdapter({ GLANCE_MODEL: 'demo/tiny-blip2-opt' }, { randomWeights: true });
    const page = await openPage(url);
    expect(await page.locator('#model-id').textContent()).toBe('demo/tiny-blip2-opt');
    const notice = page.getByRole('note', { name: 'This model has random weights: its captions and answers are meaningless text.' });
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.locator('code').textContent()).toBe('GLANCE_MODEL=Salesforce/blip2-opt-2.7b npm start');
    // Above the image chooser, in view on a phone's first screen.
    await page.setViewportSize({ width: 390, height: 844 });
    const [noticeBottom, chooserTop] = await page.evaluate(`[
      document.getElementById('random-weights-notice').getBoundingClientRect().bottom,
      document.getElementById('drop-zone').getBoundingClientRect().top,
    ]`) as number[];
    expect(noticeBottom).toBeLessThan(chooserTop);
    expect(noticeBottom).toBeLessThanOrEqual(844);
    await page.close();
  });

  it('names each family; the id is escaped as text', () => {
    expect(modelKind({ dtype: 'bf16', model: { architecture: 'blip2-t5' } } as never)).toBe('BLIP-2 with a Flan-T5 language model, bf16 weights');
    const html = modelBannerHtml({ id: 'me/<b>"x"</b>', manifest: { dtype: 'fp32', model: { architecture: 'blip2-opt' } } as never, randomWeights: true });
    expect(html).toContain('<code id="model-id">me/&lt;b&gt;&quot;x&quot;&lt;/b&gt;</code>');
    expect(html).toContain(`<code>${REAL_MODEL_COMMAND}</code>`);
  });
});
