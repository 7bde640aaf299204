import { readFileSync } from "node:fs";
import { availableParallelism, hostname, tmpdir } from "node:os";
import path from "node:path";
import pino, { type DestinationStream, type Logger } from "pino";
import { ProbotOctokit } from "probot";
import { z } from "zod";
import {
  checkRedis,
  createQueueRunner,
  parseDuration,
  queueEnv,
  queueSettings,
  redactRedisUrl,
  type StallSettings,
} from "../dispatch/index.js";
import { createSourceFetcher } from "../github/source-tarball.js";
import { dockerInfo, usableLabels, type EngineCheck } from "../runner/docker-engine.js";
import {
  createLocalExecutor,
  discoverInterpreters,
  hostSecrets,
  readSandboxSettings,
  type FetchSource,
} from "../runner/index.js";
import { positiveInt } from "./run.js";

export interface RunnerCommandOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Where start-up problems are explained. */
  readonly err: NodeJS.WritableStream;
  /** Aborted on SIGTERM or SIGINT: stop taking jobs, finish or hand back the running ones. */
  readonly signal: AbortSignal;
  /** Fetches GitHub sources; default: from APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH. */
  readonly fetchSource?: FetchSource;
  /** Where log lines go; default stderr. */
  readonly logDestination?: DestinationStream;
  /** Whether a Docker engine answers (label `docker`); default `docker info`. */
  readonly dockerProbe?: () => Promise<EngineCheck>;
}

type Setup<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const LABEL = /^[A-Za-z0-9._-]+$/;
const REDIS_CHECK_MS = 5_000;

/**
 * `pylot runner`: takes jobs from Redis and runs them on this host with the same JobExecutor as
 * `pylot run`, until SIGTERM or SIGINT. Returns the exit code: 0 after a clean stop, 2 when it
 * cannot start.
 */
export async function runnerCommand(options: RunnerCommandOptions): Promise<number> {
  const { env, err } = options;
  const queue = queueEnv(env);
  if (queue.url === undefined) {
    err.write(
      "pylot runner: PYLOT_REDIS_URL is not set. It names the Redis the bot queues jobs on, " +
        "for example PYLOT_REDIS_URL=redis://127.0.0.1:6379\n",
    );
    return 2;
  }
  const settings = queueSettings(queue.url, queue.prefix);
  const reach = await checkRedis(settings, REDIS_CHECK_MS);
  if (!reach.ok) {
    err.write(
      `pylot runner: cannot reach Redis at ${redactRedisUrl(queue.url)}: ${reach.reason}\n`,
    );
    return 2;
  }
  const name = env.PYLOT_RUNNER_NAME ?? hostname();
  const logger = pino(
    { level: env.LOG_LEVEL ?? "info" },
    options.logDestination ?? pino.destination(2),
  ).child({ runner: name });
  const prepared = await prepare(options, logger);
  if (!prepared.ok) {
    err.write(`pylot runner: ${prepared.message}\n`);
    return 2;
  }
  const { labels, pythons, fetchSource } = prepared.value;
  let executor: ReturnType<typeof createLocalExecutor>;
  try {
    executor = createLocalExecutor({
      workdir: env.PYLOT_WORKDIR ?? path.join(tmpdir(), "pylot-runner"),
      pythons: env.PYLOT_PYTHONS,
      logger,
      ...(fetchSource === undefined ? {} : { fetchSource }),
      // The runner host's Redis URL and token are readable by its jobs through /proc.
      redact: hostSecrets(env),
      sandbox: readSandboxSettings(env),
    });
    await executor.isolation();
  } catch (error: unknown) {
    err.write(`pylot runner: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const runner = createQueueRunner({
    connection: queue.url,
    ...(queue.prefix === undefined ? {} : { prefix: queue.prefix }),
    name,
    pythons,
    labels,
    concurrency: positiveInt(env.PYLOT_CONCURRENCY, availableParallelism()),
    executor,
    logger,
    stall: stallSettings(env),
    ...optional("heartbeatMs", parseDuration(env.PYLOT_HEARTBEAT_INTERVAL)),
  });
  await runner.ready();
  await aborted(options.signal);
  await runner.close({ graceMs: graceMs(env.PYLOT_SHUTDOWN_GRACE_SECONDS) });
  return 0;
}

/** PYLOT_SHUTDOWN_GRACE_SECONDS: how long running jobs may finish after SIGTERM; default 30. */
export function graceMs(setting: string | undefined): number {
  const seconds = Number(setting);
  const valid = setting !== undefined && setting.trim() !== "" && seconds >= 0;
  return valid && Number.isFinite(seconds) ? seconds * 1000 : 30_000;
}

interface Prepared {
  readonly labels: string[];
  readonly pythons: string[];
  readonly fetchSource: FetchSource | undefined;
}

async function prepare(options: RunnerCommandOptions, logger: Logger): Promise<Setup<Prepared>> {
  const labels = runnerLabels(options.env.PYLOT_RUNNER_LABELS);
  if (!labels.ok) return labels;
  const fetchSource =
    options.fetchSource === undefined
      ? githubFetcher(options.env, logger)
      : ok(options.fetchSource);
  if (!fetchSource.ok) return fetchSource;
  const pythons = await discoverPythons(options.env, logger);
  if (!pythons.ok) return pythons;
  const probe = options.dockerProbe ?? (() => dockerInfo(options.env));
  const usable = await usableLabels(labels.value, { probe, logger });
  return ok({ labels: usable, pythons: pythons.value, fetchSource: fetchSource.value });
}

function ok<T>(value: T): Setup<T> {
  return { ok: true, value };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, V>>);
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener(
      "abort",
      () => {
        resolve();
      },
      { once: true },
    );
  });
}

/** `linux` (the os of every runner today) and PYLOT_RUNNER_LABELS, a comma list. */
export function runnerLabels(setting: string | undefined): Setup<string[]> {
  const extra = (setting ?? "")
    .split(",")
    .map((label) => label.trim())
    .filter((l) => l !== "");
  const bad = extra.find((label) => !LABEL.test(label));
  if (bad !== undefined)
    return {
      ok: false,
      message: `PYLOT_RUNNER_LABELS: "${bad}" is not a label (letters, digits, '.', '_', '-')`,
    };
  return ok([...new Set(["linux", ...extra])]);
}

/** PYLOT_LOCK_DURATION, PYLOT_STALLED_INTERVAL (durations), PYLOT_MAX_STALLED_COUNT. */
function stallSettings(env: NodeJS.ProcessEnv): Partial<StallSettings> {
  const maxStalled = Number(env.PYLOT_MAX_STALLED_COUNT);
  return {
    ...optional("lockDurationMs", parseDuration(env.PYLOT_LOCK_DURATION)),
    ...optional("stalledIntervalMs", parseDuration(env.PYLOT_STALLED_INTERVAL)),
    ...optional(
      "maxStalledCount",
      Number.isInteger(maxStalled) && maxStalled >= 0 ? maxStalled : undefined,
    ),
  };
}

async function discoverPythons(env: NodeJS.ProcessEnv, logger: Logger): Promise<Setup<string[]>> {
  const found = await discoverInterpreters({ pythons: env.PYLOT_PYTHONS, logger });
  if (found.length === 0)
    return { ok: false, message: "no Python interpreter found on this host (set PYLOT_PYTHONS)" };
  return ok([...new Set(found.map((interpreter) => interpreter.version))]);
}

const TokenSchema = z.object({ token: z.string().min(1) });

/**
 * GitHub sources: the runner holds the App's credentials and, per job, mints an installation
 * token limited to reading the contents of the job's one repository. The token lives in this
 * process only (memory, one request); job processes see the extracted files, never the token,
 * the private key, nor the Redis URL. Without APP_ID the runner runs `dir` and `tarball` sources.
 */
function githubFetcher(env: NodeJS.ProcessEnv, logger: Logger): Setup<FetchSource | undefined> {
  if (env.APP_ID === undefined || env.APP_ID === "") return ok(undefined);
  const appId = Number(env.APP_ID);
  if (!Number.isInteger(appId))
    return { ok: false, message: `APP_ID is not a number: ${env.APP_ID}` };
  const key = privateKey(env);
  if (!key.ok) return key;
  const base = env.GHE_HOST
    ? { baseUrl: `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` }
    : {};
  const log = octokitLog(logger.child({ name: "github" }));
  const app = new ProbotOctokit({ auth: { appId, privateKey: key.value }, log, ...base });
  return ok(async (ref, dest) => {
    const repo = ref.repo.split("/")[1] ?? ref.repo;
    const auth: unknown = await app.auth({
      type: "installation",
      installationId: ref.installationId,
      repositoryNames: [repo],
      permissions: { contents: "read" },
    });
    const token = TokenSchema.safeParse(auth);
    if (!token.success) throw new Error("GitHub returned no installation token");
    const client = new ProbotOctokit({ auth: { token: token.data.token }, log, ...base });
    await createSourceFetcher({ octokitFor: () => Promise.resolve(client), logger })(ref, dest);
  });
}

function privateKey(env: NodeJS.ProcessEnv): Setup<string> {
  if (env.PRIVATE_KEY !== undefined && env.PRIVATE_KEY !== "")
    return ok(env.PRIVATE_KEY.replaceAll("\\n", "\n"));
  if (env.PRIVATE_KEY_PATH === undefined || env.PRIVATE_KEY_PATH === "")
    return { ok: false, message: "APP_ID is set but neither PRIVATE_KEY nor PRIVATE_KEY_PATH is" };
  try {
    return ok(readFileSync(env.PRIVATE_KEY_PATH, "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `cannot read PRIVATE_KEY_PATH: ${reason}` };
  }
}

function octokitLog(logger: Logger) {
  return {
    debug: (message: string) => {
      logger.debug(message);
    },
    info: (message: string) => {
      logger.info(message);
    },
    warn: (message: string) => {
      logger.warn(message);
    },
    error: (message: string) => {
      logger.error(message);
    },
  };
}
