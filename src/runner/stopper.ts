import type { StopReason } from "./job-progress.js";

export interface Stopper {
  readonly signal: AbortSignal;
  readonly reason: () => StopReason | undefined;
  readonly dispose: () => void;
}

/** One signal for the job's processes, fired by the caller's abort or by the job's timeout. */
export function createStopper(signal: AbortSignal, timeoutMs: number): Stopper {
  const controller = new AbortController();
  let reason: StopReason | undefined;
  const stop = (why: StopReason) => {
    if (reason !== undefined) return;
    reason = why;
    controller.abort(why);
  };
  const onAbort = () => {
    stop("cancelled");
  };
  if (signal.aborted) stop("cancelled");
  else signal.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => {
    stop("timed_out");
  }, timeoutMs);
  return {
    signal: controller.signal,
    reason: () => reason,
    dispose: () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    },
  };
}
