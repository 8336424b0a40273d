import { describe, expect, it } from 'vitest';
import { ThrottledEditor, type Clock } from '../../../adapters/shared/throttled-editor.ts';

/** A clock that only moves when the test says; scheduled callbacks run as time passes them. */
class ManualClock implements Clock {
  time = 0;
  #timers: { at: number; callback: () => void; cancelled: boolean }[] = [];
  now(): number {
    return this.time;
  }
  schedule(callback: () => void, ms: number): () => void {
    const timer = { at: this.time + ms, callback, cancelled: false };
    this.#timers.push(timer);
    return () => (timer.cancelled = true);
  }
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = this.#timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = due.at;
      due.cancelled = true;
      due.callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.time = end;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function recorder(clock: ManualClock) {
  const sent: { text: string; at: number }[] = [];
  return { sent, send: async (text: string) => void sent.push({ text, at: clock.now() }) };
}

describe('ThrottledEditor', () => {
  it('a fast answer is sent once, at once, with no intermediate edit', async () => {
    const clock = new ManualClock();
    const { sent, send } = recorder(clock);
    const editor = new ThrottledEditor({ send, clock });
    editor.update('a');
    editor.update('a b');
    await clock.advance(50);
    await editor.finish('a b c');
    expect(sent).toEqual([{ text: 'a b c', at: 50 }]);
  });

  it('a long answer is edited at most once per second, with the latest text, and the final edit waits out the interval', async () => {
    const clock = new ManualClock();
    const { sent, send } = recorder(clock);
    const editor = new ThrottledEditor({ send, clock, intervalMs: 1000 });
    for (let t = 0; t < 2500; t += 100) {
      editor.update(`text at ${t}`);
      await clock.advance(100);
    }
    const finished = editor.finish('final');
    await clock.advance(1000);
    await finished;
    expect(sent.map((s) => s.text)).toEqual(['text at 900', 'text at 1900', 'final']);
    for (let i = 1; i < sent.length; i++) expect(sent[i].at - sent[i - 1].at).toBeGreaterThanOrEqual(1000);
  });

  it('a failed intermediate edit stops streaming and is reported; the final text is still sent', async () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    const sent: string[] = [];
    let fail = true;
    const editor = new ThrottledEditor({
      clock,
      send: async (text) => {
        if (fail) throw new Error('Missing Permissions');
        sent.push(text);
      },
      onError: (error) => errors.push(error),
    });
    editor.update('partial');
    await clock.advance(1000);
    expect(errors).toHaveLength(1);
    fail = false;
    editor.update('ignored now');
    const finished = editor.finish('final');
    await clock.advance(1000);
    await finished;
    expect(sent).toEqual(['final']);
  });
});
