import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { glance } from '../helpers/run-glance.ts';

describe('glance --version', () => {
  it("prints package.json's version, also as -V", async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const run = await glance(flag);
      expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});
