import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, runChild, tail, waitUntil } from "./processes.js";

/** The app's credentials for one bench run: a fresh key, a webhook secret, an app id. */
export interface AppIdentity {
  readonly appId: string;
  readonly privateKey: string;
  readonly secret: string;
}

export function newAppIdentity(): AppIdentity {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    appId: "4242",
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    secret: "bench-webhook-secret",
  };
}

async function newestMtime(dir: string): Promise<number> {
  const names = await readdir(dir, { recursive: true });
  const times = await Promise.all(names.map(async (name) => (await stat(join(dir, name))).mtimeMs));
  return Math.max(0, ...times);
}

export type BuildOutcome =
  | { readonly kind: "fresh" }
  | { readonly kind: "built"; readonly ms: number }
  | { readonly kind: "built-with-errors"; readonly ms: number; readonly errors: string };

/**
 * `npm run build` when dist/ is older than src/ (the server scenarios run the built app, as
 * `npm start` does). tsc emits despite type errors in folders still being worked on; those are
 * reported, not fatal, as long as dist/index.js exists.
 */
export async function ensureBuilt(root: string): Promise<BuildOutcome> {
  const built = await stat(join(root, "dist/index.js")).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built > (await newestMtime(join(root, "src")))) return { kind: "fresh" };
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  // Incremental between bench runs (its state lives in the temp folder, not in the tree); a
  // full build when dist/ is gone, since tsc would not notice missing outputs.
  const incremental = [
    "--incremental",
    "--tsBuildInfoFile",
    join(tmpdir(), "pylot-bench.tsbuildinfo"),
  ];
  const argv = [
    process.execPath,
    tsc,
    "-p",
    "tsconfig.build.json",
    ...(built > 0 ? incremental : []),
  ];
  const run = await runChild(argv, {
    cwd: root,
    env: baseEnv(),
    timeoutMs: 180_000,
  });
  await stat(join(root, "dist/index.js"));
  if (run.code === 0) return { kind: "built", ms: run.ms };
  return { kind: "built-with-errors", ms: run.ms, errors: tail(run.stdout, 5) };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) =>
    probe.close(() => {
      done();
    }),
  );
  return port;
}

export interface AppServer {
  readonly port: number;
  /** Milliseconds from spawn until /healthz answered. */
  readonly startMs: number;
  /** Server log lines at level error (50) or above so far. */
  errors(): string[];
  logTail(): string;
  stop(): Promise<void>;
}

export interface AppServerOptions {
  readonly root: string;
  readonly identity: AppIdentity;
  /** host:port of the GitHub API (stub), reached over plain http as GHE_HOST. */
  readonly githubHost: string;
  readonly workdir: string;
  readonly concurrency: number;
  readonly pythons: string;
}

/** For profiling the server under a scenario: BENCH_SERVER_NODE_ARGS="--cpu-prof …". */
const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);

function serverEnv(options: AppServerOptions, port: number): NodeJS.ProcessEnv {
  return baseEnv({
    NODE_ENV: "production",
    APP_ID: options.identity.appId,
    PRIVATE_KEY: options.identity.privateKey,
    WEBHOOK_SECRET: options.identity.secret,
    HOST: "127.0.0.1",
    PORT: String(port),
    GHE_HOST: options.githubHost,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    PYLOT_DATABASE_URL: `sqlite:${join(options.workdir, "pylot.db")}`,
    PYLOT_WORKDIR: options.workdir,
    PYLOT_PYTHONS: options.pythons,
    PYLOT_CONCURRENCY: String(options.concurrency),
  });
}

/** The last 64 KiB of the server's output, and its lines logged at error level or above. */
function collectLog(child: ChildProcess) {
  const log = { text: "", errors: [] as string[] };
  const onData = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    log.text = (log.text + text).slice(-64 * 1024);
    for (const line of text.split("\n"))
      if (/"level":(5\d|60)/.test(line)) log.errors.push(line.slice(0, 400));
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return log;
}

/** The real server as `npm start` runs it: Probot's CLI on dist/index.js, JSON logs at info. */
export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [...serverNodeArgs, "node_modules/probot/bin/probot.js", "run", "./dist/index.js"],
    { cwd: options.root, env: serverEnv(options, port), stdio: ["ignore", "pipe", "pipe"] },
  );
  const log = collectLog(child);
  const exited = new Promise<void>((done) =>
    child.once("exit", () => {
      done();
    }),
  );
  const health = () =>
    fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
  // Done when healthy or when it exited (a bad setting): no point waiting out the minute then.
  await waitUntil(async () => child.exitCode !== null || (await health()), {
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  if (child.exitCode !== null || !(await health())) {
    child.kill("SIGKILL");
    throw new Error(`the app server did not start:\n${tail(log.text)}`);
  }
  return {
    port,
    startMs: performance.now() - started,
    errors: () => [...log.errors],
    logTail: () => tail(log.text),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
