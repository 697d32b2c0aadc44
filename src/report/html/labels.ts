import type { Finding, Layer, Severity } from '../../types.js';
import { LAYERS, SEVERITIES } from '../../types.js';
import { slug } from './template.js';

export const LAYER_LETTER: Record<Layer, string> = { dns: 'D', cdn: 'C', cloud: 'Cl', ca: 'CA', email: 'E' };

export const LAYER_NAME: Record<Layer, string> = {
  dns: 'DNS',
  cdn: 'CDN / edge',
  cloud: 'Cloud / hosting',
  ca: 'Certificate authority',
  email: 'E-mail',
};

/** Stable position of a layer; unknown layers (from a newer snapshot) sort last. */
export function layerRank(layer: string | undefined): number {
  const i = LAYERS.indexOf(layer as Layer);
  return i < 0 ? LAYERS.length : i;
}

/** Class for a layer chip; the layer string may come from a newer snapshot, so it is sanitised. */
export function layerClass(layer: string): string {
  return `lt-${slug(layer)}`;
}

export function severityRank(severity: Severity): number {
  const i = SEVERITIES.indexOf(severity);
  return i < 0 ? SEVERITIES.length : i;
}

/** Known severities only, so a class name never comes from unexpected data. */
export function severityClass(severity: string): string {
  return (SEVERITIES as readonly string[]).includes(severity) ? `sev-${severity}` : 'sev-info';
}

export function compareText(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      layerRank(a.layer) - layerRank(b.layer) ||
      compareText(a.provider, b.provider) ||
      compareText(a.kind, b.kind) ||
      compareText(a.message, b.message),
  );
}

export type HhiBand = 'unconcentrated' | 'moderate' | 'high';

/** US DoJ/FTC bands: below 1500 unconcentrated, 1500 to 2500 moderate, above 2500 highly concentrated. */
export function hhiBand(hhi: number): { band: HhiBand; words: string } {
  if (hhi < 1500) return { band: 'unconcentrated', words: 'unconcentrated' };
  if (hhi <= 2500) return { band: 'moderate', words: 'moderately concentrated' };
  return { band: 'high', words: 'highly concentrated' };
}
