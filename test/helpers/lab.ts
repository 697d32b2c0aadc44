import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LabDnsData, type LabDnsServer, startDnsServer } from './dns-server.js';
import { type LabSite, startWebLab, type WebLab } from './web-server.js';

// The whole loopback lab from one fixture (DNS zones + web sites), and the user-facing flags
// (--resolver, --connect-to, --ca-file) that point a real CLI run at it.

export interface LabFixture extends LabDnsData {
  sites: Record<string, LabSite>;
}

export interface Lab {
  dns: LabDnsServer;
  web: WebLab;
  resolver: string;
  connectTo: string[];
  caFile: string;
  /** An empty folder, for SINGLEPATH_DATA_DIR (no published ranges). */
  emptyDir: string;
  /** Flags for `singlepath audit` that send every query and probe to this lab. */
  args(): string[];
  close(): Promise<void>;
}

export function readFixture(path: string): LabFixture {
  return JSON.parse(readFileSync(path, 'utf8')) as LabFixture;
}

/** Fixed ports for a lab a person points the CLI at (default: free ones, as tests want). */
export interface LabPorts {
  dns?: number;
  https?: number;
  http?: number;
}

export async function startLab(fixture: LabFixture, ports: LabPorts = {}): Promise<Lab> {
  const dns = await startDnsServer(
    { zones: fixture.zones, records: fixture.records, faults: fixture.faults },
    { port: ports.dns },
  );
  const web = await startWebLab(fixture.sites, { httpsPort: ports.https, httpPort: ports.http }).catch(
    async (err) => {
      await dns.close();
      throw err;
    },
  );
  const dir = mkdtempSync(join(tmpdir(), 'singlepath-lab-'));
  const caFile = join(dir, 'lab-root.pem');
  writeFileSync(caFile, web.rootCaPem);
  const emptyDir = join(dir, 'empty');
  mkdirSync(emptyDir);
  const connectTo: string[] = [];
  for (const [host, site] of Object.entries(fixture.sites)) {
    if (site.tls === 'none') connectTo.push(`${host}:443:127.0.0.1:${web.refusedPort}`);
    if (site.http === false) connectTo.push(`${host}:80:127.0.0.1:${web.refusedPort}`);
  }
  connectTo.push(`:443:127.0.0.1:${web.httpsPort}`, `:80:127.0.0.1:${web.httpPort}`);
  return {
    dns,
    web,
    resolver: dns.address,
    connectTo,
    caFile,
    emptyDir,
    args: () => [
      '--resolver',
      dns.address,
      ...connectTo.flatMap((c) => ['--connect-to', c]),
      '--ca-file',
      caFile,
    ],
    close: async () => {
      await Promise.all([dns.close(), web.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
