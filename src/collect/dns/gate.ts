/**
 * At most `max` tasks at once, the others waiting in FIFO order: what p-limit does, without its
 * per-call queue node, extra promise and microtask hops. A task that finishes hands its slot to
 * the next waiter directly, so the bound holds at every instant. `max` may be a function, read at
 * each start and finish (--concurrency auto): when it falls, tasks start only as others finish.
 */
export type Gate = (<T>(task: () => Promise<T>) => Promise<T>) & {
  /** Every slot taken: more work is waiting than the bound lets run. */
  full(): boolean;
};

export function createGate(max: number | (() => number)): Gate {
  const bound = typeof max === 'number' ? () => max : max;
  let active = 0;
  let waiting: (() => void)[] = [];
  let head = 0;
  const release = (): void => {
    if (head < waiting.length && active <= bound()) {
      const next = waiting[head]!;
      waiting[head++] = undefined as unknown as () => void;
      if (head === waiting.length) {
        waiting = [];
        head = 0;
      } else if (head >= 1024 && head * 2 >= waiting.length) {
        waiting = waiting.slice(head);
        head = 0;
      }
      next();
      // A bound that grew lets in more than the one whose slot was handed on.
      if (typeof max !== 'number' && active < bound()) {
        active++;
        release();
      }
    } else active--;
  };
  const gate = async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < bound()) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
  return Object.assign(gate, { full: () => active >= bound() });
}
