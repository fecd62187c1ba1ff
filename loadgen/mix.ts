/**
 * Which user flow each iteration runs.
 *
 * Pure: no k6 imports. The choice is a deterministic function of the iteration number (k6's
 * `exec.scenario.iterationInTest`, unique across VUs), not a coin flip, so that a fixed-count run
 * sends an exactly known number of requests per route and per status. The end-to-end test relies
 * on that to compare what k6 sent with what Jaeger, Prometheus and Loki received.
 *
 * Every flow sends exactly one HTTP request, so proportions of iterations are proportions of
 * requests and an arrival rate is a request rate.
 */

export const FLOW_NAMES = [
  'listItems',
  'getItem',
  'createItem',
  'crash',
  'badItemId',
  'unknownItem',
  'badItemBody',
  'health',
] as const;

export type FlowName = (typeof FLOW_NAMES)[number];

export type Weights = Partial<Record<FlowName, number>>;

/**
 * The workshop mix, per 300 requests: mostly reads, a fifth writes, /crash 2 % (6 in 300),
 * deliberate client errors 1 % (3 in 300: a malformed id, an unknown id, an invalid body).
 */
export const REALISTIC_WEIGHTS: Weights = {
  listItems: 105,
  getItem: 120,
  createItem: 66,
  crash: 6,
  badItemId: 1,
  unknownItem: 1,
  badItemBody: 1,
};

/** Smoke: one of every kind per cycle, so a handful of iterations touches every endpoint. */
export const SMOKE_WEIGHTS: Weights = Object.fromEntries(FLOW_NAMES.map((name) => [name, 1]));

/**
 * Smooth weighted round-robin (the nginx algorithm): each flow appears `weight` times per cycle
 * and rare flows are spread evenly instead of bunched at the start or end of the cycle, so even
 * a short run sees its share of /crash.
 */
export function buildSchedule(weights: Weights): FlowName[] {
  const entries = FLOW_NAMES.map((name) => ({ name, weight: weights[name] ?? 0, current: 0 })).filter(
    (entry) => entry.weight > 0,
  );
  for (const entry of entries) {
    if (!Number.isInteger(entry.weight))
      throw new Error(`weight of ${entry.name} must be an integer, got ${entry.weight}`);
  }
  const total = entries.reduce((sum, entry) => sum + entry.weight, 0);
  if (total === 0) throw new Error('a mix needs at least one flow with a positive weight');
  const schedule: FlowName[] = [];
  for (let slot = 0; slot < total; slot++) {
    let best = entries[0]!;
    for (const entry of entries) {
      entry.current += entry.weight;
      if (entry.current > best.current) best = entry;
    }
    best.current -= total;
    schedule.push(best.name);
  }
  return schedule;
}

export function flowForIteration(schedule: readonly FlowName[], iteration: number): FlowName {
  if (!Number.isInteger(iteration) || iteration < 0)
    throw new Error(`iteration must be a non-negative integer, got ${iteration}`);
  return schedule[iteration % schedule.length]!;
}

/** How many of each flow the first `iterations` iterations run (what a counted run will send). */
export function expectedFlowCounts(schedule: readonly FlowName[], iterations: number): Record<FlowName, number> {
  const counts = Object.fromEntries(FLOW_NAMES.map((name) => [name, 0])) as Record<FlowName, number>;
  for (let i = 0; i < iterations; i++) counts[flowForIteration(schedule, i)]++;
  return counts;
}

/**
 * The ordinal of this iteration among /crash iterations (0 for the first /crash of the run), or
 * -1 when the iteration is not a /crash. Lets the first few crashes use trace ids reserved in
 * setup(), which handleSummary can then print (it cannot see VU state).
 */
export function crashOrdinal(schedule: readonly FlowName[], iteration: number): number {
  if (flowForIteration(schedule, iteration) !== 'crash') return -1;
  const perCycle = schedule.filter((name) => name === 'crash').length;
  const cycle = Math.floor(iteration / schedule.length);
  const position = iteration % schedule.length;
  let before = 0;
  for (let i = 0; i < position; i++) if (schedule[i] === 'crash') before++;
  return cycle * perCycle + before;
}
