/**
 * At most `max` tasks at once, the others waiting in FIFO order: what p-limit does, without its
 * per-call queue node, extra promise and microtask hops. A task that finishes hands its slot to
 * the next waiter directly, so the bound holds at every instant.
 */
export type Gate = <T>(task: () => Promise<T>) => Promise<T>;

export function createGate(max: number): Gate {
  let active = 0;
  let waiting: (() => void)[] = [];
  let head = 0;
  const release = (): void => {
    if (head < waiting.length) {
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
    } else active--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
