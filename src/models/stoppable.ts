/** Model preparation that a signal stops (Ctrl-C during start-up). */

/** Runs `work`; once `signal` has fired, whatever it fails with (an aborted fetch, a stopped conversion) is the signal's reason. */
export async function stoppable<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  try {
    signal?.throwIfAborted();
    return await work();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
