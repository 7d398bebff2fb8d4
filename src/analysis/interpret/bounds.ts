/**
 * The interpreter's work is bounded so that no input can make it hang: a total step
 * budget, a per-loop iteration cap, a call-depth cap and a wall-clock deadline.
 * Reaching a bound stops the current entry point and becomes an info diagnostic.
 */
export interface Limits {
  /** Expressions and statements evaluated per analysis run. */
  maxSteps: number;
  /** Iterations of any single loop. */
  maxLoopIterations: number;
  /** Nested function calls (recursion included). */
  maxCallDepth: number;
  /** Milliseconds per analysis run. */
  maxMillis: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxSteps: 3_000_000,
  maxLoopIterations: 100_000,
  maxCallDepth: 150,
  maxMillis: 10_000,
};

export class BoundReached extends Error {
  constructor(
    readonly bound: 'steps' | 'loop' | 'depth' | 'time',
    message: string,
  ) {
    super(message);
  }
}

export class Budget {
  steps = 0;
  private readonly deadline: number;
  constructor(readonly limits: Limits) {
    this.deadline = Date.now() + limits.maxMillis;
  }

  step(): void {
    // The clock is read only every 4096 steps: Date.now() is too slow for every node.
    if (++this.steps % 4096 === 0) {
      if (this.steps > this.limits.maxSteps) {
        throw new BoundReached('steps', `analysis stopped after ${this.limits.maxSteps.toLocaleString('en-US')} evaluation steps`);
      }
      if (Date.now() > this.deadline) {
        throw new BoundReached('time', `analysis stopped after ${this.limits.maxMillis} ms`);
      }
    }
  }
}
