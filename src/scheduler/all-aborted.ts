/**
 * A signal that fires once every one of `signals` has fired: an engine call shared by several requests is cancelled
 * only when all of them have gone away (cancelled or past their deadline). `dispose` detaches it when the call ends.
 */
export function allAborted(signals: readonly AbortSignal[]): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const check = () => {
    if (signals.every((signal) => signal.aborted)) controller.abort();
  };
  for (const signal of signals) signal.addEventListener('abort', check, { once: true });
  check();
  return {
    signal: controller.signal,
    dispose: () => {
      for (const signal of signals) signal.removeEventListener('abort', check);
    },
  };
}
