/**
 * Keeps Discord's typing indicator on while glance works on a message (it lasts 10 s, so it is sent again every
 * ~8 s). A failed send (e.g. no permission to post) stops it quietly rather than retrying into Discord's
 * invalid-request limit.
 */
export const TYPING_REFRESH_MS = 8_000;

/** Starts the indicator; call the returned function to stop re-sending it. */
export function keepTyping(sendTyping: () => Promise<unknown>, intervalMs = TYPING_REFRESH_MS): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped) return;
    sendTyping().then(
      () => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      },
      () => {
        stopped = true;
      },
    );
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
