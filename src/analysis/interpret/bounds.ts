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
  /** Milliseconds per analysed file: its module and every entry point the driver calls in it. */
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
  constructor(
    readonly limits: Limits,
    /** Shared by the entry points of one file (the driver passes it), so many cannot add up to a hang. */
    private readonly deadline = Date.now() + limits.maxMillis,
  ) {}

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

  /**
   * Counts `n` elements a builtin allocates (`new Array(n)`, `concat`, `'x'.repeat(n)`) as
   * steps, so that memory is bounded as well as time: false, and nothing counted, when
   * they do not fit in what is left.
   */
  allocate(n: number): boolean {
    if (!(n >= 0) || this.steps + n > this.limits.maxSteps) return false;
    this.steps += n;
    return true;
  }
}
