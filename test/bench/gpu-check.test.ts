import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { detectGpu, renderSuites } from '../../bench/gpu-check.ts';

function hasNvidiaSmi(): boolean {
  try {
    execFileSync('nvidia-smi', ['-L'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('gpu-check', () => {
  it.runIf(!hasNvidiaSmi())('refuses a host without an NVIDIA GPU, saying what is missing', async () => {
    await expect(detectGpu()).rejects.toThrow(/no NVIDIA GPU found/);
  });

  it('prints each suite with its counts and lists failures with their messages', () => {
    const text = renderSuites({ name: 'NVIDIA H100', memory: '81559 MiB', driver: '550.54' }, [
      { file: 'opt-goldens.test.ts', passed: 119, failed: 0, skipped: 0, seconds: 12.5, failures: [] },
      { file: 't5-goldens.test.ts', passed: 40, failed: 1, skipped: 0, seconds: 9, failures: ['first-step logits: expected 1.2e-3 to be less than 1e-4'] },
    ]);
    expect(text).toContain('| opt-goldens.test.ts | 119 | 0 | 0 | 12.5 s |');
    expect(text).toContain('| t5-goldens.test.ts | 40 | 1 | 0 | 9.0 s |');
    expect(text).toContain('- t5-goldens.test.ts: first-step logits: expected 1.2e-3 to be less than 1e-4');
  });
});
