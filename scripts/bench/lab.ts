// Starts the bench lab: the DNS responder and (for full runs) the web server, each in its own
// child process built into dist/ by `npm run build`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forkChild, type LabChild } from './ipc.js';
import type { NetworkSpec } from './network.js';

export interface BenchLab {
  dns: LabChild<{ port: number }>;
  web: LabChild<{ httpsPort: number; httpPort: number; caPem: string; perCert: number }> | null;
  resolver: string;
  caFile: string | null;
  close(): Promise<void>;
}

export async function startBenchLab(opts: {
  root: string;
  tmpDir: string;
  zones: number;
  web: boolean;
  /** The DNS responder's network model (--lossy); absent: answers at once. */
  network?: NetworkSpec;
}): Promise<BenchLab> {
  const dir = join(opts.root, 'dist', 'scripts', 'bench');
  const [dns, web] = await Promise.all([
    forkChild<{ port: number }>(
      join(dir, 'dns-child.js'),
      opts.network ? [JSON.stringify(opts.network)] : [],
    ),
    opts.web
      ? forkChild<{ httpsPort: number; httpPort: number; caPem: string; perCert: number }>(
          join(dir, 'web-child.js'),
          [String(opts.zones)],
        )
      : null,
  ]);
  let caFile: string | null = null;
  if (web) {
    caFile = join(opts.tmpDir, 'bench-root.pem');
    writeFileSync(caFile, web.ready.caPem);
  }
  return {
    dns,
    web,
    resolver: `127.0.0.1:${dns.ready.port}`,
    caFile,
    close: async () => {
      await Promise.all([dns.stop(), web?.stop()]);
    },
  };
}
