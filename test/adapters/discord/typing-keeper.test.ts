import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepTyping, TYPING_REFRESH_MS } from '../../../adapters/discord/typing-keeper.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('keepTyping', () => {
  it('sends the indicator at once and again every 8 s until stopped', async () => {
    let sent = 0;
    const stop = keepTyping(async () => void sent++);
    expect(sent).toBe(1);
    await vi.advanceTimersByTimeAsync(TYPING_REFRESH_MS * 2);
    expect(sent).toBe(3);
    stop();
    await vi.advanceTimersByTimeAsync(TYPING_REFRESH_MS * 3);
    expect(sent).toBe(3);
  });

  it('stops after a failed send instead of retrying (e.g. Missing Permissions)', async () => {
    let sent = 0;
    keepTyping(async () => {
      sent++;
      throw new Error('Missing Permissions');
    });
    await vi.advanceTimersByTimeAsync(TYPING_REFRESH_MS * 3);
    expect(sent).toBe(1);
  });
});
