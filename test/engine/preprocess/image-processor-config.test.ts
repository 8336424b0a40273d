import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import { parseImageProcessorConfig } from '../../../engine/preprocess/image-processor-config.ts';

const FIXTURES = new URL('../../../../shared/fixtures/', import.meta.url);
const fixtureConfig = (path: string) => JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8'));

function configError(json: unknown): GlanceError {
  try {
    parseImageProcessorConfig(json);
  } catch (error) {
    expect(error).toBeInstanceOf(GlanceError);
    expect((error as GlanceError).code).toBe(ErrorCode.CheckpointInvalidConfig);
    return error as GlanceError;
  }
  throw new Error('expected CheckpointInvalidConfig');
}

describe('parseImageProcessorConfig', () => {
  it.each(['tiny-blip2-opt', 'tiny-blip2-t5', 'tiny-blip2-itm', 'configs/blip2-opt-2.7b', 'configs/blip2-flan-t5-xl'])('reads %s', (folder) => {
    const raw = fixtureConfig(`${folder}/preprocessor_config.json`);
    expect(parseImageProcessorConfig(raw)).toEqual({
      width: raw.size.width,
      height: raw.size.height,
      resample: raw.resample,
      doResize: raw.do_resize,
      doRescale: raw.do_rescale,
      rescaleFactor: raw.rescale_factor,
      doNormalize: raw.do_normalize,
      imageMean: raw.image_mean,
      imageStd: raw.image_std,
      doConvertRgb: raw.do_convert_rgb,
    });
  });

  it("fills BlipImageProcessor's defaults", () => {
    expect(parseImageProcessorConfig({})).toEqual({
      width: 384,
      height: 384,
      resample: 3,
      doResize: true,
      doRescale: true,
      rescaleFactor: 1 / 255,
      doNormalize: true,
      imageMean: [0.48145466, 0.4578275, 0.40821073],
      imageStd: [0.26862954, 0.26130258, 0.27577711],
      doConvertRgb: true,
    });
  });

  it('accepts an integer size and scalar mean/std', () => {
    const config = parseImageProcessorConfig({ size: 224, image_mean: 0.5, image_std: 0.5 });
    expect([config.width, config.height, config.imageMean, config.imageStd]).toEqual([224, 224, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
  });

  it('accepts BILINEAR and LANCZOS', () => {
    expect(parseImageProcessorConfig({ resample: 2 }).resample).toBe(2);
    expect(parseImageProcessorConfig({ resample: 1 }).resample).toBe(1);
  });

  it('refuses other resample filters, naming the supported ones', () => {
    for (const resample of [0, 4, 5, 7]) {
      expect(configError({ resample }).message).toMatch(/3 \(BICUBIC\), 2 \(BILINEAR\) and 1 \(LANCZOS\)/);
    }
  });

  it('refuses a size that is not a fixed height/width', () => {
    expect(configError({ size: { shortest_edge: 224 } }).message).toMatch(/fixed/);
    expect(configError({ size: { height: 224 } }).message).toMatch(/height.*width/);
    configError({ size: { height: -1, width: 224 } });
  });

  it('refuses do_convert_rgb: false instead of ignoring it', () => {
    expect(configError({ do_convert_rgb: false }).message).toMatch(/do_convert_rgb/);
  });

  it('refuses values of the wrong type', () => {
    configError({ do_resize: 'yes' });
    configError({ image_mean: [0.5, 0.5] });
    configError({ image_std: [0.5, 0, 0.5] });
    configError({ rescale_factor: -1 });
    configError('not an object');
  });
});
