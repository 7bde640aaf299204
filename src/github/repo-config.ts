import {
  CONFIG_FILE,
  hasPythonMarkers,
  parseConfigText,
  tooLargeMessage,
  validateConfigValue,
  type ConfigError,
  type PylotConfig,
} from "../config/index.js";
import { capConfigReads, ConfigTooLargeError } from "./config-size.js";
import type { ConfigPort } from "./ports.js";

/** What a repository asks for at one commit. */
export type RepoConfig =
  | { readonly kind: "config"; readonly config: PylotConfig; readonly origin: "file" | "defaults" }
  /** `annotate`: the errors point into the repository's own file (not an org default). */
  | {
      readonly kind: "invalid";
      readonly errors: readonly ConfigError[];
      readonly annotate: boolean;
    }
  /** No config and no Python markers: the repository is left alone. */
  | { readonly kind: "none" };

export interface RepoAt {
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  return typeof error.status === "number" ? error.status : undefined;
}

async function rawFile(octokit: ConfigPort, at: RepoAt): Promise<string | undefined> {
  try {
    const response = await octokit.rest.repos.getContent({
      owner: at.owner,
      repo: at.repo,
      path: CONFIG_FILE,
      ref: at.sha,
      mediaType: { format: "raw" },
    });
    const data: unknown = response.data;
    if (typeof data === "string") return data;
    // Octokit hands over bodies of unknown content types as bytes.
    return data instanceof ArrayBuffer ? Buffer.from(data).toString("utf8") : undefined;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

async function rootNames(octokit: ConfigPort, at: RepoAt): Promise<string[]> {
  try {
    const { data } = await octokit.rest.repos.getContent({
      owner: at.owner,
      repo: at.repo,
      path: "",
      ref: at.sha,
    });
    return Array.isArray(data) ? data.filter((e) => e.type !== "dir").map((e) => e.name) : [];
  } catch (error) {
    if (httpStatus(error) === 404) return [];
    throw error;
  }
}

function tooLarge(bytes: number): RepoConfig {
  const error: ConfigError = {
    file: CONFIG_FILE,
    line: 1,
    column: 1,
    key: "(root)",
    message: tooLargeMessage(bytes),
  };
  return { kind: "invalid", errors: [error], annotate: true };
}

/**
 * Probot's loader failed without an HTTP error: the YAML does not parse, or `_extends` leads
 * somewhere broken. Our own parser on the file's text says where.
 */
async function unloadable(octokit: ConfigPort, at: RepoAt, cause: unknown): Promise<RepoConfig> {
  const text = await rawFile(octokit, at);
  if (text !== undefined) {
    const parsed = parseConfigText(text, CONFIG_FILE);
    if (!parsed.ok) return { kind: "invalid", errors: parsed.errors, annotate: true };
  }
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error: ConfigError = {
    file: CONFIG_FILE,
    line: 1,
    column: 1,
    key: "(root)",
    message: `the config could not be loaded: ${reason}`,
  };
  return { kind: "invalid", errors: [error], annotate: text !== undefined };
}

/**
 * Reads `.github/pylot.yml` at a commit through Probot's config plugin (so `_extends` and the
 * organisation's `.github` repository work), validates it, and falls back to the zero-config
 * defaults for Python projects. Costs one to three reads; the raw file only when it is invalid.
 *
 * @throws the Octokit error when GitHub fails: that is not a config problem.
 */
export async function loadRepoConfig(octokit: ConfigPort, at: RepoAt): Promise<RepoConfig> {
  capConfigReads(octokit);
  let result: Awaited<ReturnType<ConfigPort["config"]["get"]>>;
  try {
    result = await octokit.config.get({
      owner: at.owner,
      repo: at.repo,
      path: CONFIG_FILE,
      branch: at.sha,
    });
  } catch (error) {
    if (error instanceof ConfigTooLargeError) return tooLarge(error.bytes);
    if (httpStatus(error) !== undefined) throw error;
    return unloadable(octokit, at, error);
  }
  if (result.files.every((file) => file.config === null)) {
    if (!hasPythonMarkers(await rootNames(octokit, at))) return { kind: "none" };
    const defaults = validateConfigValue({}, { file: CONFIG_FILE });
    if (defaults.ok) return { kind: "config", config: defaults.config, origin: "defaults" };
    return { kind: "invalid", errors: defaults.errors, annotate: false };
  }
  const checked = validateConfigValue(result.config, { file: CONFIG_FILE });
  if (checked.ok) return { kind: "config", config: checked.config, origin: "file" };
  const own = result.files[0]?.config !== null;
  const text = own ? await rawFile(octokit, at) : undefined;
  if (text === undefined) return { kind: "invalid", errors: checked.errors, annotate: false };
  const located = validateConfigValue(result.config, { file: CONFIG_FILE, text });
  return { kind: "invalid", errors: located.ok ? checked.errors : located.errors, annotate: true };
}

export interface ConfigCache {
  /** The config of `owner/repo@sha`, loaded once; concurrent callers share one load. */
  get(at: RepoAt, load: () => Promise<RepoConfig>): Promise<RepoConfig>;
  /** Drops a commit's config, so a re-request reads it again (org defaults may have changed). */
  forget(at: RepoAt): void;
  /** True the first time per commit: one `Pylot / config` check run however many events. */
  claimReport(at: RepoAt): boolean;
}

export function createConfigCache(options: { max?: number } = {}): ConfigCache {
  const max = options.max ?? 1000;
  const loads = new Map<string, Promise<RepoConfig>>();
  const reported = new Set<string>();
  const keyOf = (at: RepoAt) => `${at.owner}/${at.repo}@${at.sha}`;
  const trim = () => {
    for (const key of loads.keys()) {
      if (loads.size <= max) break;
      loads.delete(key);
      reported.delete(key);
    }
  };
  return {
    get(at, load) {
      const key = keyOf(at);
      const cached = loads.get(key);
      if (cached !== undefined) return cached;
      const loading = load();
      loads.set(key, loading);
      loading.catch(() => loads.delete(key));
      trim();
      return loading;
    },
    forget(at) {
      loads.delete(keyOf(at));
      reported.delete(keyOf(at));
    },
    claimReport(at) {
      const key = keyOf(at);
      if (reported.has(key)) return false;
      reported.add(key);
      return true;
    },
  };
}
