import { createHash } from 'node:crypto';
import { adviceFor, KIND_TITLES, kindAdvice } from '../analyse/advice.js';
import type { Finding, FindingKind, Severity } from '../types.js';
import type { ReportDocument } from './spill.js';

// SARIF 2.1.0 for code-scanning dashboards: one rule per finding kind (its advice as help), one
// result per finding with the domain as its location (a logical location, and the domain list as
// the artifact when it is known). Written in pieces like the JSON report; every string is data in
// a JSON string, so JSON.stringify is the escaping. Checked with Microsoft's SARIF Multitool.

/** A domain's place in the list file (1-based line; columns of the text, end exclusive). */
export interface ListPlace {
  line: number;
  startColumn: number;
  endColumn: number;
}

export interface SarifOptions {
  /** The domain list the audit read (a path relative to the repository), for the artifact location. */
  source?: string;
  /** Where each domain stands in it: a result then points at its line. */
  places?: ReadonlyMap<string, ListPlace>;
}

const KINDS = Object.keys(KIND_TITLES) as FindingKind[];

/**
 * Stable, opaque rule ids (SARIF 3.49.3): code-scanning dashboards track alerts by them, so a
 * kind keeps its number for ever and a new kind takes the next one.
 */
const RULE_IDS: Record<FindingKind, string> = {
  'single-provider': 'SP001',
  'shared-fate': 'SP002',
  redundant: 'SP003',
  unresolved: 'SP004',
  'probe-failed': 'SP005',
  'region-concentration': 'SP006',
  'multi-cdn': 'SP007',
  'lame-delegation': 'SP008',
  'ns-out-of-sync': 'SP009',
  'delegation-mismatch': 'SP010',
  'ns-unresolvable': 'SP011',
  'ns-same-network': 'SP012',
  'ns-too-few': 'SP013',
  'ns-single-tld': 'SP014',
  'spf-permerror': 'SP015',
  'no-https': 'SP016',
};

/** Where the package would be published: the tool's page for a reader of the log. */
const INFORMATION_URI = 'https://www.npmjs.com/package/singlepath';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** "ns-out-of-sync" → "NsOutOfSync": SARIF rule names are identifiers. */
function ruleName(kind: FindingKind): string {
  return kind.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function rules() {
  return KINDS.map((kind) => ({
    id: RULE_IDS[kind],
    name: ruleName(kind),
    shortDescription: { text: sentence(KIND_TITLES[kind]) },
    fullDescription: { text: sentence(KIND_TITLES[kind]) },
    help: { text: sentence(kindAdvice(kind)), markdown: sentence(kindAdvice(kind)) },
    defaultConfiguration: { level: kind === 'redundant' ? 'note' : 'warning' },
    properties: { kind, tags: ['reliability', 'single-point-of-failure'] },
  }));
}

function result(domain: string, f: Finding, source: string | undefined, place: ListPlace | undefined) {
  // Outbound mail is its own position: a sender's alert is not the same provider's MX alert. The
  // inbound ones keep the fingerprint they always had.
  const identity = [domain, f.kind, f.layer ?? '', f.provider ?? ''];
  if (f.args.direction === 'outbound') identity.push('outbound');
  const fingerprint = createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32);
  return {
    ruleId: RULE_IDS[f.kind],
    ruleIndex: KINDS.indexOf(f.kind),
    level: LEVEL[f.severity],
    message: { text: sentence(`${domain}: ${f.message} What removes it: ${adviceFor(f)}`) },
    locations: [
      {
        ...(source
          ? {
              physicalLocation: {
                artifactLocation: { uri: source, uriBaseId: '%SRCROOT%' },
                region: place
                  ? {
                      startLine: place.line,
                      startColumn: place.startColumn,
                      endLine: place.line,
                      endColumn: place.endColumn,
                    }
                  : { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
              },
            }
          : {}),
        logicalLocations: [{ name: domain, fullyQualifiedName: domain, kind: 'resource' }],
      },
    ],
    partialFingerprints: { 'singlepathFinding/v1': fingerprint },
    // An accepted risk (config `accept`) is a suppression with its reason: dashboards close it.
    ...(f.accepted
      ? {
          suppressions: [
            {
              kind: 'external',
              status: 'accepted',
              justification: `${f.accepted.reason} (owner ${f.accepted.owner}, until ${f.accepted.expires})`,
            },
          ],
        }
      : {}),
    properties: {
      kind: f.kind,
      severity: f.severity,
      domain,
      ...(f.layer ? { layer: f.layer } : {}),
      ...(f.provider ? { provider: f.provider } : {}),
      ...(typeof f.args.direction === 'string' ? { direction: f.args.direction } : {}),
    },
  };
}

/** The log in pieces: the head, then the results a few hundred at a time, then the tail. */
export function* sarifChunks(doc: ReportDocument, opts: SarifOptions = {}): Generator<string> {
  const source = opts.source?.replace(/\\/g, '/');
  const driver = {
    name: 'singlepath',
    semanticVersion: doc.tool.version,
    informationUri: INFORMATION_URI,
    rules: rules(),
  };
  const head = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
  };
  yield `${JSON.stringify(head).slice(0, -1)},"runs":[{"tool":${JSON.stringify({ driver })},`;
  yield '"results":[';
  let first = true;
  let batch: string[] = [];
  for (const r of doc.domains)
    for (const f of r.risks) {
      batch.push(JSON.stringify(result(r.domain, f, source, opts.places?.get(r.domain))));
      if (batch.length >= 200) {
        yield `${first ? '' : ','}${batch.join(',')}`;
        first = false;
        batch = [];
      }
    }
  if (batch.length) yield `${first ? '' : ','}${batch.join(',')}`;
  yield `],"columnKind":"utf16CodeUnits"}]}\n`;
}
