// `npm run demo`: start the loopback lab in-process and run the real CLI against the bundled
// sample. Extra arguments go to `singlepath audit` (e.g. `npm run demo -- --format html -o r.html`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { readFixture, startLab } from '../test/helpers/lab.js';

const root = packageRoot();
const lab = await startLab(readFixture(join(root, 'samples', 'lab.json')));
const args = [
  join(root, 'bin', 'singlepath.js'),
  'audit',
  join(root, 'samples', 'domains.txt'),
  ...lab.args(),
];
process.stderr.write(
  `lab: DNS on ${lab.resolver}, HTTPS on 127.0.0.1:${lab.web.httpsPort}, HTTP on 127.0.0.1:${lab.web.httpPort}\n`,
);
process.stderr.write(
  `running: singlepath audit samples/domains.txt --resolver ${lab.resolver} --connect-to ... --ca-file ...\n\n`,
);
const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], {
  stdio: 'inherit',
  // No published ranges: the demo shows the same answers on every machine.
  env: { ...process.env, SINGLEPATH_LOOPBACK_ONLY: '1', SINGLEPATH_DATA_DIR: lab.emptyDir },
});
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 2)));
await lab.close();
process.exitCode = code;
