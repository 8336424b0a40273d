import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../../engine/convert/convert-checkpoint.ts';
import { ErrorCode } from '../../../engine/errors.ts';
import { TINY_OPT, editJsonFile } from '../../helpers/fixtures.ts';

const FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json', 'processor_config.json', 'generation_config.json'];

let work: string;
let checkpoint: string;
let out: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'glance-convert-'));
  checkpoint = join(work, 'checkpoint');
  mkdirSync(checkpoint);
  for (const file of FILES) {
    cpSync(join(TINY_OPT, file), join(checkpoint, file));
    chmodSync(join(checkpoint, file), 0o644);
  }
  out = join(work, 'bundle');
});

afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Converting must fail with `code`, and leave neither the bundle nor a partial folder behind. */
async function expectFailure(code: string, message?: RegExp): Promise<void> {
  const failure = await convertCheckpoint({ checkpointDir: checkpoint, outDir: out }).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toMatchObject({ code });
  if (message) expect((failure as Error).message).toMatch(message);
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(work)).toEqual(['checkpoint']);
}

const editConfig = (edit: (config: any) => void) => editJsonFile(join(checkpoint, 'config.json'), edit);

describe('convertCheckpoint refuses bad checkpoints with a coded error and writes nothing', () => {
  it('a missing checkpoint folder', async () => {
    checkpoint = join(work, 'nope');
    const failure = await convertCheckpoint({ checkpointDir: checkpoint, outDir: out }).catch((e) => e);
    expect(failure).toMatchObject({ code: ErrorCode.CheckpointMissingFile });
    expect(existsSync(out)).toBe(false);
  });

  for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'preprocessor_config.json']) {
    it(`a missing ${file}`, async () => {
      rmSync(join(checkpoint, file));
      await expectFailure(ErrorCode.CheckpointMissingFile, new RegExp(file.replace('.', '\\.')));
    });
  }

  it('an unsupported language model type, naming what is supported', async () => {
    editConfig((c) => (c.text_config.model_type = 'llama'));
    await expectFailure(ErrorCode.CheckpointUnsupportedModel, /opt/);
  });

  it('a corrupt safetensors header', async () => {
    const path = join(checkpoint, 'model.safetensors');
    const bytes = readFileSync(path);
    bytes.write('{"this is not json', 8, 'latin1');
    writeFileSync(path, bytes);
    await expectFailure(ErrorCode.CheckpointCorrupt);
  });

  it('truncated tensor data', async () => {
    const path = join(checkpoint, 'model.safetensors');
    truncateSync(path, readFileSync(path).byteLength - 4096);
    await expectFailure(ErrorCode.CheckpointCorrupt);
  });

  it('a tensor whose shape disagrees with the config', async () => {
    editConfig((c) => (c.vision_config.intermediate_size = 80));
    await expectFailure(ErrorCode.CheckpointShapeMismatch, /vision_model\.encoder\.layers\.0\.mlp\.fc1/);
  });

  it('a preprocessor whose size disagrees with the vision tower', async () => {
    editConfig((c) => (c.vision_config.image_size = 364));
    await expectFailure(ErrorCode.CheckpointInvalidConfig, /364/);
  });

  it('an unsupported --dtype', async () => {
    const failure = await convertCheckpoint({ checkpointDir: checkpoint, outDir: out, dtype: 'fp8' }).catch((e) => e);
    expect(failure).toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringContaining('fp32') });
  });

  it('an --out folder that already holds files', async () => {
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const failure = await convertCheckpoint({ checkpointDir: checkpoint, outDir: out }).catch((e) => e);
    expect(failure).toMatchObject({ code: ErrorCode.OutputExists });
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });
});
