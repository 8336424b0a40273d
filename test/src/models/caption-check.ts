/** Opens a bundle with the engine and returns its greedy caption of the astronaut photo (max_new_tokens 20). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../engine/engine.ts';
import { IMAGES, TINY_OPT, readJson } from '../../helpers/fixtures.ts';

export const GOLDEN_CAPTION: string = readJson(join(TINY_OPT, 'goldens.json')).images['astronaut.png'].generate.caption_greedy.outputs[0].text_stripped;

export async function astronautCaption(bundleDir: string): Promise<string> {
  const engine = await Engine.open({ bundleDir, threads: 1 });
  try {
    const [image] = await engine.encodeImages([readFileSync(join(IMAGES, 'astronaut.png'))]);
    const [output] = await engine.generate([{ queryEmbeds: image.queryEmbeds, prompt: '' }], { maxNewTokens: 20 });
    return output.text;
  } finally {
    await engine.close();
  }
}
