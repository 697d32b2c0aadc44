import { availableParallelism } from 'node:os';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type AuditOptions, DEFAULTS, MAX_PROBE_THREADS } from '../audit.js';
import { resolveRangesDir } from '../catalogue/load.js';
import { type ConcurrencySetting, MAX_CONCURRENCY } from '../collect/auto-concurrency.js';
import { MAX_DEPTH } from '../collect/zones.js';
import { INPUT_FORMATS, type InputFormat } from '../input/formats.js';
import { FORMATS, type Format } from '../report/index.js';
import { SEVERITIES, type Severity } from '../types.js';

// Flag definitions shared by `audit` and `whatif`, and the one place that turns parsed flags
// into library options (defaults < flags).

const collect = (value: string, prev: string[] = []) => [...prev, value];

function int(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/**
 * The CLI's --concurrency when none is given: auto. On the lossy lab (docs/concurrency.md) it beat
 * every fixed setting on speed and timeouts at 100k domains. The library's default stays
 * DEFAULTS.concurrency (50): a fixed, predictable load for callers that embed audit().
 */
export const CLI_CONCURRENCY: ConcurrencySetting = 'auto';

/** --concurrency N or auto. */
function concurrencyArg(value: string): ConcurrencySetting {
  if (value === 'auto') return value;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_CONCURRENCY)
    throw new InvalidArgumentError(
      `--concurrency must be auto or a whole number from 1 to ${MAX_CONCURRENCY}`,
    );
  return Number(value);
}

/** --own-asn 13335, AS13335 or as13335, as ASNs are written. */
function collectAsn(value: string, prev: number[] = []): number[] {
  const n = value.trim().replace(/^as/i, '');
  if (!/^\d+$/.test(n) || Number(n) < 1 || Number(n) > 4294967295)
    throw new InvalidArgumentError('--own-asn must be an AS number from 1 to 4294967295 (13335 or AS13335)');
  return [...prev, Number(n)];
}

export function severityOption(flag: string, description: string): Option {
  return new Option(flag, description).choices(SEVERITIES.filter((s) => s !== 'info'));
}

export function formatOption(formats: readonly string[] = FORMATS, dflt = 'table'): Option {
  return new Option('-f, --format <format>', 'output format')
    .choices(formats)
    .default(dflt)
    .helpGroup('Output:');
}

export function addAuditOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--config <file>',
        'config file of defaults and accepted risks (default: singlepath.config.json from here up)',
      ).helpGroup('Input:'),
    )
    .addOption(new Option('--no-config', 'read no config file').helpGroup('Input:'))
    .addOption(
      new Option(
        '--input-format <format>',
        'what the list is: list (a domain a line), csv (a header row; the column "domain" or --column), zone (a DNS zone file: owners of A, AAAA, CNAME)',
      )
        .choices(INPUT_FORMATS)
        .helpGroup('Input:'),
    )
    .addOption(
      new Option(
        '--column <name>',
        'the CSV column holding the domains (implies --input-format csv)',
      ).helpGroup('Input:'),
    )
    .addOption(
      new Option(
        '--own-domain <domain>',
        "a domain that is the organisation's own (reported as self), repeatable",
      )
        .argParser(collect)
        .helpGroup('Input:'),
    )
    .addOption(
      new Option('--catalog <file>', 'extra provider catalogue (JSON), repeatable')
        .argParser(collect)
        .helpGroup('Input:'),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        'published address lists from `singlepath update-data` (default: $SINGLEPATH_DATA_DIR, else the cache when filled)',
      ).helpGroup('Input:'),
    )
    .addOption(
      new Option(
        '--own-asn <asn>',
        "an AS number that is the organisation's own (not third-party), repeatable",
      )
        .argParser(collectAsn)
        .helpGroup('Input:'),
    )
    .addOption(
      new Option('--resolver <ip[:port]>', 'DNS resolver to ask, repeatable (default: /etc/resolv.conf)')
        .argParser(collect)
        .helpGroup('DNS:'),
    )
    .addOption(
      new Option('--timeout <ms>', 'timeout per DNS query and per probe phase')
        .argParser(int('--timeout', 1, 600000))
        .default(DEFAULTS.timeoutMs)
        .helpGroup('DNS:'),
    )
    .addOption(
      new Option('--retries <n>', 'extra DNS attempts after a timeout')
        .argParser(int('--retries', 0, 10))
        .default(DEFAULTS.retries)
        .helpGroup('DNS:'),
    )
    .addOption(
      new Option(
        '--qps <n>',
        'packets per second to each DNS resolver, retries and TCP included (0 = no limit)',
      )
        .argParser(int('--qps', 0, 1_000_000))
        .helpGroup('DNS:'),
    )
    .addOption(
      new Option(
        '--vantage <spec>',
        'also resolve from another vantage point, repeatable: eu, na, sa, asia, africa, oceania, all, a client subnet (203.0.113.0/24, 2001:db8::/48) sent as EDNS Client Subnet, or resolvers (each --resolver)',
      )
        .argParser(collect)
        .helpGroup('DNS:'),
    )
    .addOption(
      new Option('--depth <n>', "levels of providers' own DNS to follow for indirect dependencies (0 = off)")
        .argParser(int('--depth', 0, MAX_DEPTH))
        .default(DEFAULTS.depth)
        .helpGroup('DNS:'),
    )
    .addOption(
      new Option(
        '--dns-checks <mode>',
        "ask each zone's parent and every name server directly (RD=0) for lame, undelegated and out-of-sync servers; off = the resolver's view only",
      )
        .choices(['on', 'off'])
        .default('on')
        .helpGroup('DNS:'),
    )
    .addOption(
      new Option(
        '--root-hints <file>',
        "root servers for the checks' walk, in the format of BIND's and Unbound's hints file (default: IANA's)",
      ).helpGroup('DNS:'),
    )
    .addOption(
      new Option('--no-http', 'skip the HTTP and TLS probes (DNS-only audit)').helpGroup('HTTP/TLS:'),
    )
    .addOption(
      new Option(
        '--connect-to <h1:p1:h2:p2>',
        "probe HOST2:PORT2 instead of HOST1:PORT1 (curl's meaning), repeatable",
      )
        .argParser(collect)
        .helpGroup('HTTP/TLS:'),
    )
    .addOption(
      new Option(
        '--allow-private',
        'probe addresses in private, loopback, link-local, CGNAT and metadata ranges',
      ).helpGroup('HTTP/TLS:'),
    )
    .addOption(
      new Option('--ca-file <pem>', 'extra trusted root certificates for validation, repeatable')
        .argParser(collect)
        .helpGroup('HTTP/TLS:'),
    )
    .addOption(
      new Option(
        '--concurrency <n>',
        'domains in each network stage at once, or auto: grow while answers come back in time, back off on timeouts and REFUSED',
      )
        .argParser(concurrencyArg)
        .default(CLI_CONCURRENCY)
        .helpGroup('Limits:'),
    )
    .addOption(
      new Option(
        '--domain-timeout <ms>',
        'most one domain may take, all stages together; past it the result keeps what was finished (0 = no limit)',
      )
        .argParser(int('--domain-timeout', 0, 3_600_000))
        .default(DEFAULTS.domainTimeoutMs)
        .helpGroup('Limits:'),
    )
    .addOption(
      new Option(
        '--probe-threads <n>',
        `HTTP/TLS probes in N worker threads, so TLS handshakes use other cores (0 = main thread; default: cores - 1, or cores / --jobs - 1, at most ${AUTO_PROBE_THREADS_MAX})`,
      )
        .argParser(int('--probe-threads', 0, MAX_PROBE_THREADS))
        .helpGroup('Limits:'),
    )
    .addOption(
      new Option(
        '--jobs <n>',
        'audit in N processes, one core each (--concurrency applies to each); for long lists',
      )
        .argParser(int('--jobs', 1, 256))
        .default(1)
        .helpGroup('Limits:'),
    );
}

export interface AuditFlags {
  catalog?: string[];
  dataDir?: string;
  ownAsn?: number[];
  ownDomain?: string[];
  inputFormat?: InputFormat;
  column?: string;
  resolver?: string[];
  timeout: number;
  retries: number;
  qps?: number;
  domainTimeout?: number;
  vantage?: string[];
  depth?: number;
  dnsChecks?: 'on' | 'off';
  rootHints?: string;
  http: boolean;
  connectTo?: string[];
  caFile?: string[];
  allowPrivate?: boolean;
  concurrency: ConcurrencySetting;
  /** Child processes auditing in parallel (1 = this process alone). */
  jobs?: number;
  probeThreads?: number;
}

/** Most probe threads chosen without --probe-threads: past a few, the main thread is the limit. */
export const AUTO_PROBE_THREADS_MAX = 4;

/**
 * Without --probe-threads: each process gets its share of the cores (all of them, or cores ÷
 * --jobs), one for its main thread and a probe thread for each of the others, at most
 * AUTO_PROBE_THREADS_MAX. On 2 cores: 1 thread alone, none with --jobs 2.
 */
export function autoProbeThreads(jobs: number, cores = availableParallelism()): number {
  return Math.max(0, Math.min(AUTO_PROBE_THREADS_MAX, Math.floor(cores / Math.max(1, jobs)) - 1));
}

export function resolveAuditOptions(flags: AuditFlags, env: NodeJS.ProcessEnv): AuditOptions {
  return {
    resolvers: flags.resolver,
    timeoutMs: flags.timeout,
    retries: flags.retries,
    qps: flags.qps,
    domainTimeoutMs: flags.domainTimeout,
    vantages: flags.vantage,
    depth: flags.depth,
    dnsChecks: (flags.dnsChecks ?? 'on') === 'on',
    ...(flags.rootHints ? { rootHints: flags.rootHints } : {}),
    concurrency: flags.concurrency,
    http: flags.http,
    probeThreads: flags.probeThreads ?? autoProbeThreads(flags.jobs ?? 1),
    connectTo: flags.connectTo,
    caFiles: flags.caFile,
    catalogFiles: flags.catalog,
    rangesDir: resolveRangesDir(flags.dataDir ?? (env.SINGLEPATH_DATA_DIR || undefined), env),
    ownAsns: flags.ownAsn,
    ...(flags.ownDomain?.length
      ? { ownDomains: flags.ownDomain.map((d) => d.toLowerCase().replace(/\.$/, '')) }
      : {}),
    allowPrivate: flags.allowPrivate ?? false,
    // A safety net for labs and CI: nothing leaves 127.0.0.0/8.
    loopbackOnly: env.SINGLEPATH_LOOPBACK_ONLY === '1',
    // The bench's paired runs of --concurrency auto with the user's fixed timeout.
    ...(env.SINGLEPATH_FIXED_TIMEOUT === '1' ? { adaptiveTimeout: false } : {}),
  };
}

export interface OutputFlags {
  format: Format;
  output?: string;
  explain?: boolean;
  domain?: string;
  failOn?: Severity;
}
