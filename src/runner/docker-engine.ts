import { execFile } from "node:child_process";
import type { Logger } from "pino";
import { DOCKER_LABEL } from "../pipeline/plan.js";
import { dockerVars } from "./docker-step.js";

export type EngineCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** `docker info` on this host: whether an engine answers, within `timeoutMs`. */
export function dockerInfo(env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<EngineCheck> {
  return new Promise((resolve) => {
    execFile(
      "docker",
      ["info", "--format", "{{.ServerVersion}}"],
      { timeout: timeoutMs, env: { PATH: env.PATH ?? "/usr/bin:/bin", ...dockerVars(env) } },
      (error, _stdout, stderr) => {
        if (error === null) {
          resolve({ ok: true });
          return;
        }
        const missing = "code" in error && error.code === "ENOENT";
        const said = stderr.trim().split("\n").at(-1) ?? "";
        resolve({
          ok: false,
          reason: missing ? "the docker command is not installed" : said || error.message,
        });
      },
    );
  });
}

/**
 * The labels a runner advertises: `docker` only when an engine answers, so a host without one is
 * never given a docker job (the job waits for a runner that has one, and fails after
 * PYLOT_NO_RUNNER_TIMEOUT naming the live runners' labels).
 */
export async function usableLabels(
  labels: readonly string[],
  options: { readonly probe: () => Promise<EngineCheck>; readonly logger: Logger },
): Promise<string[]> {
  if (!labels.includes(DOCKER_LABEL)) return [...labels];
  const check = await options.probe();
  if (check.ok) return [...labels];
  options.logger.warn(
    { reason: check.reason },
    "PYLOT_RUNNER_LABELS has docker, but docker info failed: this runner takes no docker jobs",
  );
  return labels.filter((label) => label !== DOCKER_LABEL);
}
