// `npm run lab` (or `singlepath lab`): the bundled loopback lab (samples/lab.json) on fixed ports
// of 127.0.0.1 until Ctrl-C, with the flags that point an audit at it, so anyone can audit a list
// of their own (names the lab does not serve come back NXDOMAIN or REFUSED) with no network.
//   --dns-port N --https-port N --http-port N   (defaults 5353, 8443, 8080; 0 = any free port)
//   --ca-out FILE                              (where the lab's root certificate goes; ./lab-root.pem)
import { copyFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/package-root.js';
import { type Lab, readFixture, startLab } from '../test/helpers/lab.js';

export const LAB_DEFAULTS = { dns: 5353, https: 8443, http: 8080, caOut: 'lab-root.pem' } as const;

export interface LabRun {
  lab: Lab;
  /** The flags to add to `singlepath audit LIST`. */
  flags: string[];
  close(): Promise<void>;
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function port(argv: string[], name: string, fallback: number): number {
  const v = option(argv, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${name}: expected a port from 0 to 65535, not "${v}"`);
  return n;
}

/** Starts the lab; the root certificate is copied to `--ca-out` (relative to the current folder). */
export async function startBundledLab(argv: string[]): Promise<LabRun> {
  const ports = {
    dns: port(argv, '--dns-port', LAB_DEFAULTS.dns),
    https: port(argv, '--https-port', LAB_DEFAULTS.https),
    http: port(argv, '--http-port', LAB_DEFAULTS.http),
  };
  const lab = await startLab(readFixture(join(packageRoot(), 'samples', 'lab.json')), ports);
  const caOut = resolve(option(argv, '--ca-out') ?? LAB_DEFAULTS.caOut);
  copyFileSync(lab.caFile, caOut);
  const shown = relative(process.cwd(), caOut) || caOut;
  const flags = [
    '--resolver',
    lab.resolver,
    ...lab.connectTo.flatMap((c) => ['--connect-to', c]),
    '--ca-file',
    shown.includes(' ') ? `"${shown}"` : shown,
  ];
  return { lab, flags, close: () => lab.close() };
}

/** Runs the lab until SIGINT/SIGTERM, printing where it listens and the audit flags. */
export async function labMain(argv: string[]): Promise<void> {
  const run = await startBundledLab(argv);
  const { lab } = run;
  const out = process.stdout;
  out.write(
    `lab: DNS on ${lab.resolver} (UDP and TCP), HTTPS on 127.0.0.1:${lab.web.httpsPort}, HTTP on 127.0.0.1:${lab.web.httpPort}\n`,
  );
  out.write(`lab: root certificate in ${run.flags[run.flags.length - 1]}\n`);
  out.write('audit the sample, or a list of your own, against it (Ctrl-C stops the lab):\n\n');
  out.write(`  singlepath audit samples/domains.txt ${run.flags.join(' ')}\n\n`);
  out.write(`lab: ready\n`);
  const stop = async () => {
    await run.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  labMain(process.argv.slice(2)).catch((err: Error & { code?: string }) => {
    const busy = err.code === 'EADDRINUSE' || /taken/.test(err.message);
    process.stderr.write(
      `lab: ${busy ? `${err.message}: another lab or program uses that port; choose others with --dns-port, --https-port, --http-port (0 = any free port)` : err.message}\n`,
    );
    process.exitCode = 2;
  });
}
