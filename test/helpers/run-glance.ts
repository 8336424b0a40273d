/** Runs the `glance` command as users do (node bin/glance.js …) and collects its exit code and output. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/glance.js', import.meta.url));

export interface GlanceRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function glance(...args: string[]): Promise<GlanceRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** stdout as one parsed JSON value per line (the --json outputs). */
export function jsonLines(stdout: string): any[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line));
}
