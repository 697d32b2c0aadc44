import { type Dependency, type IndirectDependency, LAYERS, type Layer } from '../types.js';
import { type Failure, layerImpact, lostLayers, SELF, SERVING_LAYERS } from './layer-loss.js';

// The second tier of an outage: a direct provider whose own zone can no longer be resolved
// because every DNS provider of that zone is down (a CDN whose zone is served by Dyn, when Dyn
// fails). Direct analysis is untouched: this only adds what the indirect dependencies lose.

const key = (path: readonly string[]): string => path.join('\u0000');

/** A zone of a provider (one `path`) and the providers answering for it. */
interface ZoneNode {
  path: string[];
  through: IndirectDependency['through'];
  entries: IndirectDependency[];
  /** The provider's own name servers also answer: the zone survives any third party's outage. */
  selfHosted: boolean;
}

function nodesOf(indirect: readonly IndirectDependency[]): Map<string, ZoneNode> {
  const nodes = new Map<string, ZoneNode>();
  for (const d of indirect) {
    const k = key(d.path);
    const node = nodes.get(k) ?? { path: d.path, through: d.through, entries: [], selfHosted: false };
    node.entries.push(d);
    node.selfHosted ||= d.alternatives?.includes(SELF) ?? false;
    nodes.set(k, node);
  }
  return nodes;
}

/** Path prefix of the zones below an entry: its hop named with its provider. */
function childPrefix(d: IndirectDependency): string {
  return key([...d.path.slice(0, -1), `${d.path.at(-1)}: ${d.provider}`]);
}

export interface IndirectLoss {
  /** Direct dependencies (layer → providers) that stop working because their zone's DNS is down. */
  lost: Map<Layer, Set<string>>;
  /** Each lost zone, "cdn: akamai → dns of akamaiedge.net: ultradns". */
  via: string[];
}

/** Direct providers lost through their providers' providers in this outage. */
export function indirectlyLost(indirect: readonly IndirectDependency[], failed: Failure): IndirectLoss {
  const nodes = nodesOf(indirect);
  const children = new Map<string, ZoneNode[]>();
  for (const node of nodes.values()) {
    const parent = key(node.path.slice(0, -1));
    children.set(parent, [...(children.get(parent) ?? []), node]);
  }
  const memo = new Map<ZoneNode, boolean>();
  const nodeLost = (node: ZoneNode): boolean => {
    const known = memo.get(node);
    if (known !== undefined) return known;
    memo.set(node, false); // a cycle in hand-made data must not recurse forever
    const lost =
      !node.selfHosted &&
      node.entries.every(
        (e) => failed(e.provider, e) || (children.get(childPrefix(e)) ?? []).some((child) => nodeLost(child)),
      );
    memo.set(node, lost);
    return lost;
  };
  const out: IndirectLoss = { lost: new Map(), via: [] };
  for (const node of nodes.values()) {
    if (node.path.length !== 2 || !nodeLost(node)) continue;
    const set = out.lost.get(node.through.layer) ?? new Set<string>();
    out.lost.set(node.through.layer, set.add(node.through.provider));
    const providers = [...new Set(node.entries.map((e) => e.provider))].sort().join(' + ');
    out.via.push(`${node.path.join(' → ')}: ${providers}`);
  }
  out.via.sort();
  return out;
}

export interface IndirectImpact {
  /** Every layer lost with the indirect tier counted (direct losses included). */
  layers: Layer[];
  /** A serving layer is lost only because of the indirect tier. */
  down: boolean;
  via: string[];
}

/** What an outage takes from a domain through its providers' providers; null when nothing more than directly. */
export function indirectImpact(
  deps: readonly Dependency[],
  indirect: readonly IndirectDependency[] | undefined,
  failed: Failure,
): IndirectImpact | null {
  if (!indirect?.length) return null;
  const loss = indirectlyLost(indirect, failed);
  if (loss.lost.size === 0) return null;
  const direct = lostLayers(deps, failed);
  const layers = LAYERS.filter(
    (layer) =>
      layerImpact(deps, layer, (p, d) => failed(p, d) || (loss.lost.get(layer)?.has(p) ?? false)).lost,
  );
  if (layers.every((l) => direct.includes(l))) return null;
  const servingDown = (list: Layer[]) => list.some((l) => SERVING_LAYERS.has(l));
  return { layers, down: servingDown(layers) && !servingDown(direct), via: loss.via };
}
