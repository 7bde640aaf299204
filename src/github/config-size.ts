import type { ProbotOctokit } from "probot";
import { CONFIG_FILE, MAX_CONFIG_BYTES } from "../config/index.js";

type HookableOctokit = Pick<InstanceType<typeof ProbotOctokit>, "hook">;

/** A config file GitHub served that is larger than Pylot reads; thrown before it is parsed. */
export class ConfigTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`${CONFIG_FILE} is ${bytes} bytes`);
    this.name = "ConfigTooLargeError";
  }
}

const CONTENTS_ROUTE = "/repos/{owner}/{repo}/contents/{path}";
const capped = new WeakSet<HookableOctokit>();

function sizeOf(data: unknown): number | undefined {
  if (typeof data === "string") return Buffer.byteLength(data);
  return data instanceof ArrayBuffer ? data.byteLength : undefined;
}

/**
 * Probot's config plugin parses `.github/pylot.yml` (and `_extends` targets) whole, whatever its
 * size, and GitHub serves raw files up to 100 MB: a repository could make every replica parse
 * that much YAML. This hook refuses such a file once downloaded, before any parser sees it.
 * Hooked once per Octokit instance (Probot makes one per event).
 */
export function capConfigReads(octokit: HookableOctokit): void {
  if (capped.has(octokit)) return;
  capped.add(octokit);
  octokit.hook.after("request", (response, options) => {
    if (options.url !== CONTENTS_ROUTE) return;
    const path: unknown = options["path"];
    if (typeof path !== "string" || !path.endsWith(CONFIG_FILE.split("/").pop() ?? CONFIG_FILE))
      return;
    const bytes = sizeOf(response.data);
    if (bytes !== undefined && bytes > MAX_CONFIG_BYTES) throw new ConfigTooLargeError(bytes);
  });
}
