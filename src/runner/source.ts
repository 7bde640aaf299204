import type { Dirent } from "node:fs";
import { copyFile, lstat, mkdir, readdir, realpath, rm, symlink } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { SourceRef } from "../engine/ports.js";
import type { JobLog } from "./job-log.js";
import { runProcess } from "./process.js";
import { plural } from "./tool-verdicts.js";

export type GithubSource = Extract<SourceRef, { kind: "github" }>;
/** Writes the repository's tarball at the commit to `dest`. */
export type FetchSource = (ref: GithubSource, dest: string) => Promise<void>;

export type SourceOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly message: string; readonly stopped?: boolean };

export interface MaterializeOptions {
  readonly source: SourceRef;
  /** The empty folder the source goes into. */
  readonly dest: string;
  /** A folder for the downloaded tarball. */
  readonly scratch: string;
  readonly fetchSource: FetchSource | undefined;
  readonly log: JobLog;
  readonly signal: AbortSignal;
  readonly killGraceMs: number;
  readonly env: Readonly<Record<string, string>>;
}

/** Folders no job needs and that are large or host-specific. */
export const SKIPPED_NAMES: ReadonlySet<string> = new Set([
  ".git",
  "node_modules",
  ".venv",
  "venv",
  "__pycache__",
  ".tox",
  ".mypy_cache",
]);

export async function materializeSource(options: MaterializeOptions): Promise<SourceOutcome> {
  const { source } = options;
  switch (source.kind) {
    case "dir":
      return copySource(source.path, options);
    case "tarball":
      return extractTarball(source.path, options);
    case "github":
      return fetchAndExtract(source, options);
  }
}

async function copySource(path: string, options: MaterializeOptions): Promise<SourceOutcome> {
  const info = await lstat(path).catch(() => undefined);
  const root = info?.isDirectory() === true ? await realpath(path) : undefined;
  if (root === undefined) return { ok: false, message: `source folder ${path} does not exist` };
  const skipped = await copyTree(root, root, options.dest);
  const note = skipped === 0 ? "" : ` (${plural(skipped, "link")} out of the tree skipped)`;
  options.log.line(`[pylot] copied ${path}${note}`);
  return { ok: true };
}

/** Copies a tree without following links; links into the tree are kept as relative links. */
async function copyTree(root: string, from: string, to: string): Promise<number> {
  const entries = await readdir(from, { withFileTypes: true });
  let skipped = 0;
  // Bounded batches: a flat folder of thousands of files must not exhaust file descriptors.
  for (let i = 0; i < entries.length; i += 32) {
    const counts = await Promise.all(
      entries.slice(i, i + 32).map((entry) => copyEntry(root, entry, from, to)),
    );
    skipped += counts.reduce((sum, count) => sum + count, 0);
  }
  return skipped;
}

async function copyEntry(root: string, entry: Dirent, from: string, to: string): Promise<number> {
  if (SKIPPED_NAMES.has(entry.name)) return 0;
  const source = join(from, entry.name);
  const target = join(to, entry.name);
  if (entry.isDirectory()) {
    await mkdir(target);
    return copyTree(root, source, target);
  }
  if (entry.isFile()) {
    await copyFile(source, target);
    return 0;
  }
  if (!entry.isSymbolicLink()) return 0;
  const real = await realpath(source).catch(() => undefined);
  if (real === undefined || !(real === root || real.startsWith(root + sep))) return 1;
  await symlink(relative(dirname(source), real) || ".", target);
  return 0;
}

async function extractTarball(path: string, options: MaterializeOptions): Promise<SourceOutcome> {
  const run = (argv: readonly string[], capture: boolean) =>
    runProcess({
      argv,
      cwd: options.scratch,
      env: options.env,
      log: options.log,
      signal: options.signal,
      killGraceMs: options.killGraceMs,
      capture,
      captureLimit: 256 * 1024 * 1024,
    });
  const listing = await run(["tar", "-tf", path], true);
  if (listing.outcome.kind === "stopped") return { ok: false, message: "stopped", stopped: true };
  if (listing.outcome.kind !== "exited" || listing.outcome.code !== 0) {
    return { ok: false, message: `could not read the source tarball ${path}` };
  }
  const check = checkTarListing(listing.stdout);
  if (!check.ok) return check;
  const extracted = await run(
    [
      "tar",
      "-xf",
      path,
      "-C",
      options.dest,
      `--strip-components=${check.strip}`,
      "--no-same-owner",
    ],
    false,
  );
  if (extracted.outcome.kind === "stopped") return { ok: false, message: "stopped", stopped: true };
  if (extracted.outcome.kind !== "exited" || extracted.outcome.code !== 0) {
    return { ok: false, message: `could not extract the source tarball ${path}` };
  }
  return { ok: true };
}

export type TarCheck =
  { readonly ok: true; readonly strip: 0 | 1 } | { readonly ok: false; readonly message: string };

/**
 * Refuses members that would land outside the workspace, and strips the single top folder
 * GitHub puts in its tarballs (`owner-repo-sha/`), when there is one.
 */
export function checkTarListing(listing: string): TarCheck {
  const names = listing.split("\n").filter((name) => name !== "");
  if (names.length === 0) return { ok: false, message: "the source tarball is empty" };
  const tops = new Set<string>();
  for (const name of names) {
    if (name.startsWith("/") || name.split("/").includes("..")) {
      return {
        ok: false,
        message: `the source tarball has an unsafe member: ${name.slice(0, 200)}`,
      };
    }
    tops.add(name.replace(/^\.\//, "").split("/")[0] ?? "");
  }
  const single = tops.size === 1 && names.some((name) => name.replace(/^\.\//, "").includes("/"));
  return { ok: true, strip: single ? 1 : 0 };
}

async function fetchAndExtract(
  source: GithubSource,
  options: MaterializeOptions,
): Promise<SourceOutcome> {
  const label = `${source.repo}@${source.sha.slice(0, 12)}`;
  if (options.fetchSource === undefined) {
    return { ok: false, message: `this runner cannot fetch GitHub sources (${label})` };
  }
  const tarball = join(options.scratch, "source.tar.gz");
  try {
    await options.fetchSource(source, tarball);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `could not fetch ${label}: ${reason}` };
  }
  if (options.signal.aborted) return { ok: false, message: "stopped", stopped: true };
  const outcome = await extractTarball(tarball, options);
  await rm(tarball, { force: true });
  return outcome;
}
