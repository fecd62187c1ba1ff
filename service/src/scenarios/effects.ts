import { randomBytes } from 'node:crypto';
import {
  CPU_BLOCK_BUDGET_MS_PER_SECOND,
  CPU_BLOCK_MS,
  LEAK_CAP_BYTES,
  LEAK_CHUNK_BYTES,
  LOG_FLOOD_MAX_PER_SECOND,
} from '../../../kit/scenarios';

/** Milliseconds on a monotonic clock; injectable so the bounds are tested without timing anything. */
export type Clock = () => number;
const monotonic: Clock = () => performance.now();

/**
 * memory-leak: a "request cache" that never evicts. Each retain() keeps one chunk on the V8 heap
 * (a one-byte string: Buffers would sit outside the heap, where the heap panels do not look)
 * until the cap, then stops growing. release() drops everything, for the baseline to come back.
 */
export class MemoryLeak {
  private readonly chunks: string[] = [];
  private readonly chunkBytes: number;
  private readonly capBytes: number;

  constructor(chunkBytes = LEAK_CHUNK_BYTES, capBytes = LEAK_CAP_BYTES) {
    this.chunkBytes = chunkBytes;
    this.capBytes = capBytes;
  }

  get heldBytes(): number {
    return this.chunks.length * this.chunkBytes;
  }

  /** Keeps one more chunk unless the cap is reached; true when it grew. */
  retain(): boolean {
    if (this.heldBytes + this.chunkBytes > this.capBytes) return false;
    // Hex of random bytes: a fresh, flat string the engine cannot share or intern.
    this.chunks.push(randomBytes(this.chunkBytes / 2).toString('hex'));
    return true;
  }

  release(): void {
    this.chunks.length = 0;
  }
}

/**
 * A budget of units per one-second window (fixed window on the injected clock): what a bounded
 * scenario may spend per second in all, whatever the request rate.
 */
export class PerSecondBudget {
  private windowStart = Number.NEGATIVE_INFINITY;
  private spent = 0;
  private readonly perSecond: number;
  private readonly clock: Clock;

  constructor(perSecond: number, clock: Clock = monotonic) {
    this.perSecond = perSecond;
    this.clock = clock;
  }

  /** Takes up to `wanted` units from this second's budget; returns how many were granted. */
  take(wanted: number): number {
    const now = this.clock();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.spent = 0;
    }
    const granted = Math.max(0, Math.min(wanted, this.perSecond - this.spent));
    this.spent += granted;
    return granted;
  }
}

/**
 * cpu-block: synchronous work on the event loop (a naive "price re-check" loop), so every other
 * request waits and the trace shows a gap with no child span. Each block lasts CPU_BLOCK_MS at
 * most and all blocks together at most CPU_BLOCK_BUDGET_MS_PER_SECOND per second.
 */
export class CpuBlocker {
  private readonly budget: PerSecondBudget;
  private readonly blockMs: number;
  private readonly clock: Clock;

  constructor(blockMs = CPU_BLOCK_MS, budgetMsPerSecond = CPU_BLOCK_BUDGET_MS_PER_SECOND, clock: Clock = monotonic) {
    this.blockMs = blockMs;
    this.clock = clock;
    this.budget = new PerSecondBudget(budgetMsPerSecond, clock);
  }

  /** Blocks for the granted milliseconds; returns them. */
  block(): number {
    const granted = this.budget.take(this.blockMs);
    const until = this.clock() + granted;
    let checksum = 0;
    while (this.clock() < until) {
      for (let i = 0; i < 1_000; i += 1) checksum = (checksum * 31 + i) % 1_000_003;
    }
    return checksum >= 0 ? granted : 0;
  }
}

/** log-flood: how many flood records the service may still write this second. */
export function logFloodBudget(clock: Clock = monotonic): PerSecondBudget {
  return new PerSecondBudget(LOG_FLOOD_MAX_PER_SECOND, clock);
}
