import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SETTINGS_FILE_NAME, SettingsStore } from '../../../src/settings/settings-store.ts';
import { ErrorCode } from '../../../engine/errors.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'glance-settings-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SettingsStore', () => {
  it('creates <dataDir>/glance.sqlite (and the folder) with defaults off', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const store = SettingsStore.open(dataDir);
    try {
      expect(existsSync(join(dataDir, SETTINGS_FILE_NAME))).toBe(true);
      expect(store.path).toBe(join(dataDir, SETTINGS_FILE_NAME));
      expect(store.isChannelAutoAltText('discord', 'c1')).toBe(false);
      expect(store.isUserOptedOut('discord', 'u1')).toBe(false);
    } finally {
      store.close();
    }
  });

  it('stores channel opt-in and user opt-out per platform, and they survive close and reopen', () => {
    const dataDir = tempDir();
    const first = SettingsStore.open(dataDir);
    first.setChannelAutoAltText('discord', 'c1', true);
    first.setChannelAutoAltText('slack', 'c2', true);
    first.setChannelAutoAltText('slack', 'c2', false);
    first.setUserOptOut('slack', 'u1', true);
    first.setUserOptOut('discord', 'u2', true);
    first.setUserOptOut('discord', 'u2', false);
    first.close();

    const reopened = SettingsStore.open(dataDir);
    try {
      expect(reopened.isChannelAutoAltText('discord', 'c1')).toBe(true);
      expect(reopened.isChannelAutoAltText('slack', 'c1')).toBe(false); // other platform, same id
      expect(reopened.isChannelAutoAltText('slack', 'c2')).toBe(false);
      expect(reopened.isUserOptedOut('slack', 'u1')).toBe(true);
      expect(reopened.isUserOptedOut('discord', 'u1')).toBe(false);
      expect(reopened.isUserOptedOut('discord', 'u2')).toBe(false);
    } finally {
      reopened.close();
    }
  });

  it('tells a channel never set (undefined: a thread then follows its channel) from one turned off', () => {
    const store = SettingsStore.open(tempDir());
    try {
      expect(store.channelAutoAltText('discord', 'thread')).toBeUndefined();
      store.setChannelAutoAltText('discord', 'thread', false);
      expect(store.channelAutoAltText('discord', 'thread')).toBe(false);
      expect(store.isChannelAutoAltText('discord', 'thread')).toBe(false);
      store.setChannelAutoAltText('discord', 'thread', true);
      expect(store.channelAutoAltText('discord', 'thread')).toBe(true);
    } finally {
      store.close();
    }
  });

  it('two stores on one data directory (two processes) see each other\'s writes', () => {
    const dataDir = tempDir();
    const a = SettingsStore.open(dataDir);
    const b = SettingsStore.open(dataDir);
    try {
      a.setUserOptOut('slack', 'u9', true);
      expect(b.isUserOptedOut('slack', 'u9')).toBe(true);
      b.setChannelAutoAltText('slack', 'c9', true);
      expect(a.isChannelAutoAltText('slack', 'c9')).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it('refuses empty ids with INVALID_INPUT', () => {
    const store = SettingsStore.open(tempDir());
    try {
      expect(() => store.setChannelAutoAltText('', 'c', true)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
      expect(() => store.setUserOptOut('discord', '', true)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    } finally {
      store.close();
    }
  });

  it('close is idempotent and later use throws', () => {
    const store = SettingsStore.open(tempDir());
    store.close();
    store.close();
    expect(() => store.isUserOptedOut('discord', 'u')).toThrow();
  });

  it('a data dir that is a file, or a file that is not SQLite, is CONFIG_INVALID', () => {
    const dir = tempDir();
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    expect(() => SettingsStore.open(file)).toThrow(expect.objectContaining({ code: ErrorCode.ConfigInvalid }));
    const garbled = join(dir, 'garbled');
    rmSync(garbled, { recursive: true, force: true });
    SettingsStore.open(garbled).close();
    writeFileSync(join(garbled, SETTINGS_FILE_NAME), 'this is not a database, it is plain text padded out '.repeat(40));
    rmSync(join(garbled, `${SETTINGS_FILE_NAME}-wal`), { force: true });
    rmSync(join(garbled, `${SETTINGS_FILE_NAME}-shm`), { force: true });
    expect(() => SettingsStore.open(garbled)).toThrow(expect.objectContaining({ code: ErrorCode.ConfigInvalid }));
  });
});
