import { parseArgs } from "node:util";
import pino from "pino";
import { runCommand } from "./run.js";
import { validateCommand } from "./validate.js";

const USAGE = `Usage: pylot <command> [options]

Commands:
  run [dir]          run the pipeline of a Python project on this machine (default: .)
      --json         print the result as JSON
  validate [file]    check a .github/pylot.yml (default: ./.github/pylot.yml)
  runner             take jobs from Redis (PYLOT_REDIS_URL) and run them on this host
  help               show this text

Environment: PYLOT_PYTHONS, PYLOT_CONCURRENCY, PYLOT_WORKDIR, LOG_LEVEL; for runner also
PYLOT_REDIS_URL, PYLOT_RUNNER_NAME, PYLOT_RUNNER_LABELS, PYLOT_SHUTDOWN_GRACE_SECONDS (see README.md).
`;

/** The CLI entry: parses argv and runs one command. Returns the process exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { json: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const [command, target, ...rest] = parsed.positionals;
  if (parsed.values.help === true || command === undefined || command === "help") {
    process.stdout.write(USAGE);
    return command === undefined && parsed.values.help !== true ? 2 : 0;
  }
  if (rest.length > 0) {
    process.stderr.write(`unexpected arguments: ${rest.join(" ")}\n\n${USAGE}`);
    return 2;
  }
  const logger = pino({ level: env.LOG_LEVEL ?? "warn" }, pino.destination(2));
  switch (command) {
    case "run": {
      const controller = new AbortController();
      const interrupt = () => {
        controller.abort();
      };
      process.once("SIGINT", interrupt);
      process.once("SIGTERM", interrupt);
      const code = await runCommand({
        dir: target ?? ".",
        json: parsed.values.json,
        env,
        out: process.stdout,
        err: process.stderr,
        logger,
        signal: controller.signal,
      });
      return controller.signal.aborted ? 130 : code;
    }
    case "validate":
      return validateCommand({
        file: target,
        cwd: process.cwd(),
        out: process.stdout,
        err: process.stderr,
      });
    case "runner": {
      if (target !== undefined) {
        process.stderr.write(`unexpected argument: ${target}\n\n${USAGE}`);
        return 2;
      }
      const controller = new AbortController();
      const stop = () => {
        controller.abort();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      // Loaded on demand: BullMQ and Probot cost other commands a third of a second to import.
      const { runnerCommand } = await import("./runner.js");
      return runnerCommand({ env, err: process.stderr, signal: controller.signal });
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
