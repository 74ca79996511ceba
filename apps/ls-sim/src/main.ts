import { runCli } from "./cli.js";

// Entry point of `ls-sim` (drop-in for `label-studio`): one-shot commands exit with their code,
// `start` keeps the process alive until SIGINT/SIGTERM or a crash fault.
runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`ls-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
