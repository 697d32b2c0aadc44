// `npm run demo`: start the loopback lab in-process and run the real CLI against the bundled
// sample. Extra arguments go to `singlepath audit` (e.g. `npm run demo -- --format html -o r.html`);
// a first one that is a file is the list to audit instead of the sample (`npm run demo -- my.txt`).
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { readFixture, startLab } from '../test/helpers/lab.js';

const root = packageRoot();
const lab = await startLab(readFixture(join(root, 'samples', 'lab.json')));
const extra = process.argv.slice(2);
const first = extra[0];
const ownList =
  first !== undefined && !first.startsWith('-') && existsSync(first) && statSync(first).isFile();
const list = ownList ? extra.shift()! : join(root, 'samples', 'domains.txt');
const args = [join(root, 'bin', 'singlepath.js'), 'audit', list, ...lab.args()];
process.stderr.write(
  `lab: DNS on ${lab.resolver}, HTTPS on 127.0.0.1:${lab.web.httpsPort}, HTTP on 127.0.0.1:${lab.web.httpPort}\n`,
);
process.stderr.write(
  `running: singlepath audit ${ownList ? list : 'samples/domains.txt'} --resolver ${lab.resolver} --connect-to ... --ca-file ...\n\n`,
);
const child = spawn(process.execPath, [...args, ...extra], {
  stdio: 'inherit',
  // No published ranges: the demo shows the same answers on every machine.
  env: { ...process.env, SINGLEPATH_LOOPBACK_ONLY: '1', SINGLEPATH_DATA_DIR: lab.emptyDir },
});
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 2)));
await lab.close();
process.exitCode = code;
