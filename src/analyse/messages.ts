import type { Finding } from '../types.js';

const LAYER_WORDS: Record<string, string> = {
  dns: 'authoritative DNS',
  cdn: 'edge (CDN)',
  cloud: 'hosting (cloud)',
  ca: 'certificate authority',
  email: 'e-mail',
};

/** The one place finding codes become words; tests assert codes, not these sentences. */
export function describeFinding(f: Omit<Finding, 'message'>): string {
  const layer = f.layer ? (LAYER_WORDS[f.layer] ?? f.layer) : '';
  const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v ?? ''));
  switch (f.kind) {
    case 'single-provider':
      return `${layer} depends on ${f.provider} alone`;
    case 'shared-fate':
      return `${f.provider} sits under ${list(f.args.layers)}${
        Array.isArray(f.args.singleLayers) && f.args.singleLayers.length
          ? ` (single path at ${list(f.args.singleLayers)})`
          : ''
      }`;
    case 'redundant':
      return `${layer} has alternatives: ${list(f.args.providers)}`;
    case 'unresolved':
      return `the name does not resolve (${list(f.args.status)})`;
    case 'probe-failed':
      return `the ${list(f.args.probe)} probe failed (${list(f.args.status)})`;
    case 'region-concentration':
      return `${f.provider} region ${list(f.args.region)} carries ${list(f.args.layers)}`;
    case 'multi-cdn':
      return `${layer} is served by several providers depending on where users are: ${list(f.args.seen)}`;
  }
}
