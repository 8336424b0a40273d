import { describe, expect, it } from 'vitest';
import { DEFAULT_DEDUP_TTL_MS, EventDeduplicator } from '../../../adapters/slack/event-dedup.ts';

describe('EventDeduplicator', () => {
  it('lets the first delivery of an event id through and drops its retries', () => {
    const dedup = new EventDeduplicator();
    expect(dedup.firstDelivery('Ev1')).toBe(true);
    expect(dedup.firstDelivery('Ev1')).toBe(false);
    expect(dedup.firstDelivery('Ev1')).toBe(false);
    expect(dedup.firstDelivery('Ev2')).toBe(true);
  });

  it('keeps ids longer than Slack retries (about 5 minutes), forgets them after the TTL', () => {
    let now = 0;
    const dedup = new EventDeduplicator({ now: () => now });
    expect(DEFAULT_DEDUP_TTL_MS).toBeGreaterThanOrEqual(60 * 60_000);
    dedup.firstDelivery('Ev1');
    now = 6 * 60_000;
    expect(dedup.firstDelivery('Ev1')).toBe(false);
    now = DEFAULT_DEDUP_TTL_MS + 1;
    expect(dedup.firstDelivery('Ev1')).toBe(true);
  });

  it('is bounded: beyond maxEntries the oldest ids are forgotten first', () => {
    const dedup = new EventDeduplicator({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c', 'd']) dedup.firstDelivery(id);
    expect(dedup.size).toBe(3);
    expect(dedup.firstDelivery('d')).toBe(false);
    expect(dedup.firstDelivery('a')).toBe(true);
  });
});
