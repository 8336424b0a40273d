/**
 * The work a chat adapter has started (one promise per event, command or shortcut): failures are logged, never
 * thrown at the client library; once closing, new work is not started; `drain` waits for what runs, up to a grace.
 */
import type { Logger } from '../../src/log/logger.ts';

export class AdapterWork {
  readonly #running = new Set<Promise<void>>();
  readonly #log: Logger | undefined;
  readonly #platform: string;
  #closing = false;

  /** `platform`: 'Discord' or 'Slack', for the log lines (component: its lower case). */
  constructor(platform: string, log?: Logger) {
    this.#platform = platform;
    this.#log = log;
  }

  /** Starts `work` unless closing; `what` names it in the failure log ("message", "interaction", …). */
  track(work: () => Promise<void>, what: string): void {
    if (this.#closing) return;
    const running = work()
      .catch((error) => this.#log?.error({ component: this.#platform.toLowerCase(), err: error }, `${this.#platform} ${what} failed`))
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  /** Stops new work, then waits for the running work to settle or `graceMs` to pass, whichever is first. */
  async drain(graceMs: number): Promise<void> {
    this.#closing = true;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.#running]), grace]);
    clearTimeout(timer);
  }
}
