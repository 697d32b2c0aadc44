// Preloaded into a CLI run by the bench (`node --import <this> bin/singlepath.js …`) when
// SINGLEPATH_BENCH_ALLOC is set: counts the bytes the main thread's JavaScript heap allocated,
// from V8's GC records (the heap used before each collection minus the heap left after the
// previous one, plus what is in use at exit), and writes them to that file at exit. No product
// code knows about it. The profiler keeps ~6 KB of native memory per collection until stopped,
// so it is stopped and started again every second (else a 1M-domain run would carry ~100 MB of
// records in its RSS).
import { writeFileSync } from 'node:fs';
import { GCProfiler, getHeapStatistics } from 'node:v8';

const file = process.env.SINGLEPATH_BENCH_ALLOC;
if (file) {
  let profiler = new GCProfiler();
  let allocated = 0;
  let after = getHeapStatistics().used_heap_size;
  let gcs = 0;
  let gcMs = 0;
  const drain = (): void => {
    for (const gc of profiler.stop()?.statistics ?? []) {
      allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - after);
      after = gc.afterGC.heapStatistics.usedHeapSize;
      gcMs += gc.cost / 1000;
      gcs++;
    }
  };
  profiler.start();
  setInterval(() => {
    drain();
    profiler = new GCProfiler();
    profiler.start();
  }, 1000).unref();
  process.once('exit', () => {
    drain();
    allocated += Math.max(0, getHeapStatistics().used_heap_size - after);
    writeFileSync(file, JSON.stringify({ allocatedBytes: allocated, gcs, gcMs: Math.round(gcMs) }));
  });
}
