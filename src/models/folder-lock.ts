/**
 * One process at a time prepares a model (downloads or converts it) in a data directory: a lock file created with
 * O_EXCL, refreshed (mtime) while the work runs. Another process — or another call in this one — waits for it and
 * then finds the finished model. A lock not refreshed for STALE_MS (its holder crashed or was killed) is taken over.
 */
import { mkdir, open, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.ts';

export const HEARTBEAT_MS = 5_000;
export const STALE_MS = 30_000;
const POLL_MS = 250;

async function tryCreate(lockPath: string): Promise<boolean> {
  try {
    const file = await open(lockPath, 'wx');
    await file.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
    await file.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs > STALE_MS;
  } catch {
    return false; // gone already: the next try creates it
  }
}

/** Runs `work` holding the lock at `lockPath`, waiting while another holder works (until `signal` fires, if given). */
export async function withFolderLock<T>(lockPath: string, what: string, work: () => Promise<T>, log?: Logger, signal?: AbortSignal): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  let told = false;
  for (;;) {
    signal?.throwIfAborted();
    if (await tryCreate(lockPath)) break;
    if (await isStale(lockPath)) {
      log?.info({ lockPath }, `taking over a stale lock for ${what}`);
      await rm(lockPath, { force: true });
      continue;
    }
    if (!told) {
      log?.info({ lockPath }, `waiting for another glance process that is preparing ${what}`);
      told = true;
    }
    await sleep(POLL_MS, undefined, { signal });
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    await rm(lockPath, { force: true });
  }
}
