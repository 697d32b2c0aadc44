#!/usr/bin/env node
// Memory: an audit allocates fast and keeps little (~50 MB live), and V8 lets the old generation
// grow to up to 4x the live heap between major collections: ~300 MB peak RSS for 100k domains.
// Growing it by 30% instead keeps the peak under 200 MB with the web probe threads running
// (~190 MB for 100k domains, full audit) for ~7% more CPU (measured with `npm run bench`). The
// flag is read at each collection, so setting it here (before the CLI loads, no re-exec) is
// enough; the library never touches its host's flags. SINGLEPATH_HEAP_GROWING=<percent> overrides
// the value (0 leaves V8's default), and so does --heap-growing-percent given to node itself.
import { setFlagsFromString } from 'node:v8';

const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) =>
  /^--heap[-_]growing[-_]percent/.test(a),
);
const percent = process.env.SINGLEPATH_HEAP_GROWING ?? '30';
if (!given && /^\d{1,4}$/.test(percent) && percent !== '0')
  setFlagsFromString(`--heap-growing-percent=${percent}`);

await import('../dist/src/cli/main.js');
