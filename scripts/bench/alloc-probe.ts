// Preloaded into a CLI run by the bench (`node --import <this> bin/singlepath.js …`) when
// SINGLEPATH_BENCH_ALLOC is set: counts the bytes the main thread's JavaScript heap allocated,
// from V8's GC records (the heap used before each collection minus the heap left after the
// previous one, plus what is in use at exit), and writes them to that file at exit. No product
// code knows about it.
import { writeFileSync } from 'node:fs';
import { GCProfiler, getHeapStatistics } from 'node:v8';

const file = process.env.SINGLEPATH_BENCH_ALLOC;
if (file) {
  const profiler = new GCProfiler();
  const startUsed = getHeapStatistics().used_heap_size;
  profiler.start();
  process.once('exit', () => {
    const stats = profiler.stop()?.statistics ?? [];
    let allocated = 0;
    let after = startUsed;
    let gcMs = 0;
    for (const gc of stats) {
      allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - after);
      after = gc.afterGC.heapStatistics.usedHeapSize;
      gcMs += gc.cost / 1000;
    }
    allocated += Math.max(0, getHeapStatistics().used_heap_size - after);
    writeFileSync(
      file,
      JSON.stringify({ allocatedBytes: allocated, gcs: stats.length, gcMs: Math.round(gcMs) }),
    );
  });
}
