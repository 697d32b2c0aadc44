import type { Study } from '../types.js';
import { escapeMarkdown as esc } from './escape.js';
import { LAYER_TITLES, percent } from './summary-text.js';

// The study view (Kashaf, Sekar, Agarwal, IMC 2020) as Markdown tables; the figures come from
// the summary, computed there.

const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
const K = Array.from({ length: 10 }, (_, i) => i + 1);
/** Rows shown at most in the amplification and provider-to-provider tables. */
const MAX_ROWS = 25;

const counted = (n: number, share: number): string => `${n} (${percent(share)})`;

/** Share of domains critically dependent on the union of the top-k providers (the last k when fewer). */
export function topShare(study: Study['layers'][number], k: number): number {
  return (study.concentration[k - 1] ?? study.concentration.at(-1))?.share ?? 0;
}

export function studyMarkdown(study: Study | undefined): string[] {
  if (!study) return [];
  const out = [
    '',
    '## Third-party dependency (IMC 2020)',
    '',
    `Of ${study.domains} domains that resolved: third party = uses a provider other than its own at the layer; critically dependent = one third-party provider's outage alone takes the layer; redundant = uses a third party, but no single one can take the layer.`,
    '',
    row(['layer', 'third party', 'critically dependent', 'redundant', 'top-3 providers (union)', 'HHI']),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const l of study.layers)
    out.push(
      row([
        LAYER_TITLES[l.layer],
        counted(l.thirdParty, l.thirdPartyShare),
        counted(l.critical, l.criticalShare),
        counted(l.redundant, l.redundantShare),
        percent(topShare(l, 3)),
        l.hhi,
      ]),
    );
  const ca = study.layers.find((l) => l.layer === 'ca');
  if (ca?.stapled)
    out.push('', `${ca.stapled} domains staple OCSP: they do not depend critically on their CA.`);
  if (ca?.crlOnly)
    out.push(
      '',
      `${ca.crlOnly} domains have a certificate that names CRLs and no OCSP responder (as Let's Encrypt's have since 2025): their CA's revocation service is its CRL host.`,
    );
  out.push(
    '',
    '### Concentration: domains critically dependent on the top-k providers',
    '',
    row(['layer', ...K.map((k) => `k=${k}`)]),
    row(['---', ...K.map(() => '---')]),
  );
  for (const l of study.layers)
    out.push(
      row([
        LAYER_TITLES[l.layer],
        ...K.map((k) => {
          const c = l.concentration[k - 1];
          return c ? `${percent(c.share)} ${esc(c.provider)}` : '';
        }),
      ]),
    );
  const amplified = study.amplification.filter((a) => a.indirect > 0);
  out.push('', "### Amplification through providers' providers", '');
  if (amplified.length === 0) {
    out.push(
      "No provider's impact grows through another provider: each provider's provider found is an alternative, or already a direct single point (with --depth 0 none is looked for).",
    );
  } else {
    out.push(
      row(['provider', 'direct', 'direct + indirect', 'ratio', 'through']),
      row(['---', '---:', '---:', '---:', '---']),
    );
    for (const a of amplified.slice(0, MAX_ROWS))
      out.push(
        row([
          esc(a.provider),
          a.direct,
          a.total,
          a.ratio === null ? 'only indirect' : a.ratio.toFixed(2),
          a.paths.map((p) => `${esc(p.path)} (${p.domains})`).join(', '),
        ]),
      );
    if (amplified.length > MAX_ROWS)
      out.push('', `+${amplified.length - MAX_ROWS} more providers in the JSON summary.`);
  }
  if (study.providerDependencies.length > 0) {
    out.push(
      '',
      '### Provider-to-provider dependencies',
      '',
      row(['provider', 'depends on', 'domains', 'with no alternative']),
      row(['---', '---', '---:', '---:']),
    );
    const edges = [...study.providerDependencies].sort((a, b) => b.domains - a.domains);
    for (const e of edges.slice(0, MAX_ROWS))
      out.push(
        row([
          `${e.layer}: ${esc(e.provider)}`,
          `${e.dependsOn.layer}: ${esc(e.dependsOn.provider)}`,
          e.domains,
          e.critical,
        ]),
      );
    if (edges.length > MAX_ROWS) out.push('', `+${edges.length - MAX_ROWS} more in the JSON summary.`);
  }
  return out;
}
