import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { defaultInterpreter, discoverInterpreters } from "./runner/index.js";

/** The `PYLOT_*` settings the App reads (ARCHITECTURE.md §1). */
export interface PylotSettings {
  readonly databaseUrl: string | undefined;
  readonly pythons: string | undefined;
  readonly concurrency: number;
  readonly workdir: string;
  readonly publicUrl: string | undefined;
  /** `PYLOT_BADGE_SECRET`: tokens of private repositories' badges, pages and artifacts. */
  readonly badgeSecret: string | undefined;
  /** `PYLOT_DEPLOY_CLAIM_SECONDS`, in ms: how long a dead replica holds a deploy's finish. */
  readonly deployClaimMs: number | undefined;
  /** `local` (the in-process pool, default) or `queue` (BullMQ on PYLOT_REDIS_URL). */
  readonly runner: "local" | "queue";
  /** PYLOT_DEFAULT_PYTHON: the version of configs that name none ("3.12"). */
  readonly defaultPython: string | undefined;
}

const VERSION = /^3\.\d{1,2}$/;

/** Seconds (1 to 3600) in ms; a value that is not one stops the start with the reason. */
function positiveSeconds(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600)
    throw new Error(`${name} must be a number of seconds from 1 to 3600, not "${raw}"`);
  return seconds * 1000;
}

export function readSettings(env: NodeJS.ProcessEnv): PylotSettings {
  const concurrency = Number(env.PYLOT_CONCURRENCY);
  const nonEmpty = (value: string | undefined) => (value === "" ? undefined : value);
  return {
    databaseUrl: nonEmpty(env.PYLOT_DATABASE_URL),
    pythons: nonEmpty(env.PYLOT_PYTHONS),
    concurrency:
      Number.isInteger(concurrency) && concurrency > 0 ? concurrency : availableParallelism(),
    workdir: nonEmpty(env.PYLOT_WORKDIR) ?? join(tmpdir(), "pylot"),
    publicUrl: nonEmpty(env.PYLOT_PUBLIC_URL),
    badgeSecret: nonEmpty(env.PYLOT_BADGE_SECRET),
    deployClaimMs: positiveSeconds(
      nonEmpty(env.PYLOT_DEPLOY_CLAIM_SECONDS),
      "PYLOT_DEPLOY_CLAIM_SECONDS",
    ),
    runner: env.PYLOT_RUNNER === "queue" ? "queue" : "local",
    defaultPython: defaultPythonSetting(nonEmpty(env.PYLOT_DEFAULT_PYTHON)),
  };
}

function defaultPythonSetting(value: string | undefined): string | undefined {
  if (value === undefined || VERSION.test(value)) return value;
  throw new Error(`PYLOT_DEFAULT_PYTHON must be a Python version such as 3.12, not "${value}"`);
}

/** Python used for configs that name no version, when this host has none at all. */
const FALLBACK_PYTHON = "3.12";

/**
 * The Python of configs that name none: PYLOT_DEFAULT_PYTHON; else, with the in-process pool,
 * this host's default interpreter; else 3.12. A queue replica runs no job, so it needs and looks
 * for no interpreter: which versions exist is for its runners to advertise.
 */
export async function chooseDefaultPython(settings: PylotSettings, log: Logger): Promise<string> {
  if (settings.defaultPython !== undefined) return settings.defaultPython;
  if (settings.runner === "queue") return FALLBACK_PYTHON;
  const found = defaultInterpreter(
    await discoverInterpreters({ pythons: settings.pythons, logger: log }),
  );
  if (found === undefined)
    log.error({ fallback: FALLBACK_PYTHON }, "no Python interpreter found (set PYLOT_PYTHONS)");
  return found?.version ?? FALLBACK_PYTHON;
}
