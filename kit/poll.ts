// Bounded polling: telemetry arrives asynchronously (batch processors, export intervals,
// Jaeger ingestion, Loki's door), so assertions wait for a condition, but never longer than asked.

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
}

/** Calls `probe` until it returns a value accepted by `done`, or the time runs out. Returns the last value either way. */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  opts: PollOptions,
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 2_000;
  let last: T = await probe();
  while (!done(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, interval));
    last = await probe();
  }
  return last;
}

/** fetch with a hard timeout and a JSON body, throwing with the raw answer on a non-2xx status. */
export async function fetchJson<T = unknown>(url: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} -> ${res.status}: ${text.slice(0, 2000)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
