// Builds the IP -> ASN binary index once at install time, so the first audit does not pay
// for parsing ~500k CSV rows. Usage: build-asn-index [--cache-dir DIR] [--data-dir DIR]
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { buildAsnIndex } from '../src/asn/index.js';

try {
  const { values } = parseArgs({
    options: { 'cache-dir': { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  const { path, ms } = await buildAsnIndex({ cacheDir: values['cache-dir'], dataDir: values['data-dir'] });
  const { size } = await stat(path);
  console.log(`asn index: ${path} (${(size / 1024 / 1024).toFixed(1)} MiB) built in ${ms} ms`);
} catch (err) {
  console.error(`build-asn-index: failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
