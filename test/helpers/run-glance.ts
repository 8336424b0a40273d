/** Runs the `glance` command as users do (node bin/glance.js …) and collects its exit code and output. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/glance.js', import.meta.url));

export interface GlanceRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function glance(...args: string[]): Promise<GlanceRun> {
  return glanceWithEnv(process.env, ...args);
}

/** `glance …` with the environment `env` (e.g. cleanEnv({ GLANCE_MODEL: … })). */
export function glanceWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<GlanceRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 1 << 24, env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** stdout as one parsed JSON value per line (the --json outputs). */
export function jsonLines(stdout: string): any[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line));
}

/** The environment without any GLANCE_*, platform or Hugging Face variables, logging at warn, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(GLANCE_|DISCORD_|SLACK_|HF_)/.test(name)) env[name] = value;
  }
  return { ...env, GLANCE_LOG_LEVEL: 'warn', ...extra };
}

export interface SpawnedGlance {
  child: ChildProcess;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
  /** Resolves with the first match of `pattern` in stdout so far or to come; rejects if glance exits first. */
  stdoutMatch(pattern: RegExp): Promise<RegExpExecArray>;
}

/** Starts `glance …` (node bin/glance.js) in `cwd` with `env`, collecting its output as it runs. */
export function spawnGlance(args: string[], options: { env: NodeJS.ProcessEnv; cwd: string }): SpawnedGlance {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    stdoutMatch: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stdout);
          if (match) resolve(match);
        };
        check();
        child.stdout!.on('data', check);
        exited.then((code) => reject(new Error(`glance exited with ${code} before printing ${pattern}:\n${stderr}`)));
      }),
  };
}
