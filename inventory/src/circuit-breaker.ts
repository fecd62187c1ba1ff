import { CircuitOpenError } from './errors';

export interface BreakerPolicy {
  /** Consecutive failed calls (after their retries) that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before letting one trial call through. */
  openMs: number;
}

type State = { failures: number; openedAt?: number; trialInFlight: boolean };

/**
 * One circuit per AWS service and region: when EC2 in eu-west-1 keeps failing, the inventory
 * stops hammering it (and stops spending its cycle time there) while every other service and
 * region carries on. Half-open lets a single trial call through after `openMs`; its success
 * closes the circuit, its failure opens it again.
 */
export class CircuitBreakers {
  private readonly states = new Map<string, State>();

  private readonly policy: BreakerPolicy;
  private readonly now: () => number;

  constructor(policy: BreakerPolicy, now: () => number = Date.now) {
    this.policy = policy;
    this.now = now;
  }

  state(key: string): 'closed' | 'open' | 'half_open' {
    const s = this.states.get(key);
    if (!s || s.openedAt === undefined) return 'closed';
    return this.now() - s.openedAt >= this.policy.openMs ? 'half_open' : 'open';
  }

  /** Every circuit that is not closed, by key (`ec2:us-east-1`): what /health reports. */
  notClosed(): Record<string, 'open' | 'half_open'> {
    const out: Record<string, 'open' | 'half_open'> = {};
    for (const key of this.states.keys()) {
      const state = this.state(key);
      if (state !== 'closed') out[key] = state;
    }
    return out;
  }

  async run<T>(key: string, call: () => Promise<T>): Promise<T> {
    const s = this.states.get(key) ?? { failures: 0, trialInFlight: false };
    this.states.set(key, s);
    const state = this.state(key);
    if (state === 'open' || (state === 'half_open' && s.trialInFlight)) {
      throw new CircuitOpenError(
        `circuit open for ${key}: ${s.failures} consecutive failures; next trial in ${Math.max(0, s.openedAt! + this.policy.openMs - this.now())} ms`,
      );
    }
    const trial = state === 'half_open';
    if (trial) s.trialInFlight = true;
    try {
      const result = await call();
      s.failures = 0;
      s.openedAt = undefined;
      return result;
    } catch (error) {
      s.failures += 1;
      if (trial || s.failures >= this.policy.failureThreshold) s.openedAt = this.now();
      throw error;
    } finally {
      if (trial) s.trialInFlight = false;
    }
  }
}
