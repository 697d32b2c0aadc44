import { type Command, Option } from 'commander';
import type { Catalogue } from '../catalogue/catalogue.js';
import { loadCatalogue } from '../catalogue/load.js';
import Table from '../report/cli-table.js';
import type { CliIo } from './cli-io.js';

export interface ProviderRow {
  id: string;
  name: string;
  layers: string[];
  signals: Record<string, number>;
  parent?: string;
  runsOn?: string[];
}

export function providerRows(catalogue: Catalogue): ProviderRow[] {
  return [...catalogue.providers.values()]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((p) => {
      const row: ProviderRow = {
        id: p.id,
        name: p.name,
        layers: catalogue.layersOf(p.id),
        signals: catalogue.signalCounts(p.id),
      };
      if (p.parent) row.parent = p.parent;
      if (p.runsOn?.length) row.runsOn = p.runsOn.map((r) => `${r.provider} (${r.layer})`);
      return row;
    });
}

export function providersCommand(program: Command, io: CliIo): void {
  program
    .command('providers')
    .description('list the provider catalogue: ids, layers, signal counts, relations')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .addOption(
      new Option('--catalog <file>', 'extra provider catalogue (JSON), repeatable').argParser(
        (v: string, p: string[] = []) => [...p, v],
      ),
    )
    .action((flags: { format: string; catalog?: string[] }) => {
      const rows = providerRows(loadCatalogue({ extraFiles: flags.catalog }));
      if (flags.format === 'json') return io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      const table = new Table({
        head: ['id', 'name', 'layers', 'signals', 'relations'],
        style: { head: [], border: [] },
      });
      for (const r of rows) {
        const signals = Object.entries(r.signals)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ');
        const rel = [r.parent && `parent ${r.parent}`, r.runsOn && `runs on ${r.runsOn.join(', ')}`]
          .filter(Boolean)
          .join('; ');
        table.push([r.id, r.name, r.layers.join(' '), signals, rel]);
      }
      io.stdout(`${table.toString()}\n${rows.length} providers\n`);
    });
}
