import { CommanderError } from 'commander';
import { isUserError, plainWords } from '../errors.js';
import { EXIT } from './cli-io.js';
import { buildProgram } from './program.js';

// `singlepath providers | head`: a reader that goes away is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// A signal outside a run that handles it (while a report is written, a snapshot read) ends the
// process as an exit, so that exit hooks remove the temp files of writes in progress (a killed
// write left hidden .tmp files of hundreds of MB, issue 21). A run's own handler, when present,
// decides instead (finish the domains in flight, then write).
for (const [signal, code] of [
  ['SIGINT', EXIT.interrupted],
  ['SIGTERM', EXIT.terminated],
] as const) {
  process.on(signal, () => {
    if (process.listenerCount(signal) === 1) process.exit(code);
  });
}

async function main(): Promise<number> {
  let code: number = EXIT.ok;
  const io = {
    stdout: (t: string) => void process.stdout.write(t),
    stderr: (t: string) => void process.stderr.write(t),
    env: process.env,
    stdoutIsTty: Boolean(process.stdout.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
    stdinIsTty: Boolean(process.stdin.isTTY),
    stdoutColumns: process.stdout.columns,
  };
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(process.argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    if (isUserError(err)) {
      // Every user error names system errors in words, wherever it was raised.
      io.stderr(`singlepath: ${plainWords(err.message)}\n`);
      return EXIT.error;
    }
    io.stderr(
      `singlepath: internal error (a bug, please report it):\n${(err as Error)?.stack ?? String(err)}\n`,
    );
    return EXIT.error;
  }
}

process.exitCode = await main();
