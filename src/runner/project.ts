import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { isFile, readCapped } from "./read-capped.js";
import { SKIPPED_NAMES } from "./source.js";

/** What the runner needs to know about a project's files. */
export interface ProjectFacts {
  /** Names of the regular files at the project's root, sorted. */
  readonly files: readonly string[];
  /** pyproject.toml's text (first 1 MiB), when there is one. */
  readonly pyproject: string | undefined;
  readonly setupPy: boolean;
  readonly setupCfg: boolean;
}

const PYPROJECT_LIMIT = 1024 * 1024;
const DEFAULT_BACKEND = "setuptools.build_meta:__legacy__";

export async function readProjectFacts(src: string): Promise<ProjectFacts> {
  const [entries, pyproject] = await Promise.all([
    readdir(src, { withFileTypes: true }).catch(() => []),
    readCapped(join(src, "pyproject.toml"), PYPROJECT_LIMIT),
  ]);
  const files = entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => entry.name)
    .sort();
  return {
    files,
    pyproject,
    setupPy: files.includes("setup.py"),
    setupCfg: files.includes("setup.cfg"),
  };
}

function tableHeader(name: string): RegExp {
  return new RegExp(
    String.raw`^[ \t]*\[[ \t]*${name.replace("-", "\\-")}[ \t]*\][ \t]*(#.*)?$`,
    "m",
  );
}

export function hasPackagingMetadata(facts: ProjectFacts): boolean {
  if (facts.setupPy || facts.setupCfg) return true;
  const text = facts.pyproject;
  return (
    text !== undefined &&
    (tableHeader("project").test(text) || tableHeader("build-system").test(text))
  );
}

/** The module of the PEP 517 build backend (`setuptools.build_meta` when none is named). */
export function buildBackendModule(pyproject: string | undefined): string {
  const section = pyproject === undefined ? undefined : tableBody(pyproject, "build-system");
  const match =
    section === undefined
      ? null
      : /^[ \t]*build-backend[ \t]*=[ \t]*["']([^"']+)["']/m.exec(section);
  const backend = match?.[1] ?? DEFAULT_BACKEND;
  return backend.split(":")[0] ?? backend;
}

export function tableBody(text: string, name: string): string | undefined {
  const header = tableHeader(name).exec(text);
  if (header === null) return undefined;
  const rest = text.slice(header.index + header[0].length);
  const next = /^[ \t]*\[/m.exec(rest);
  return next === null ? rest : rest.slice(0, next.index);
}

/**
 * Top-level packages and modules, for tools that need module paths (pylint before 2.13):
 * folders with `__init__.py`, `*.py` files, and the packages of a `src/` layout.
 */
export async function topLevelModules(src: string): Promise<string[]> {
  const found: string[] = [];
  for (const base of ["", "src"]) {
    const entries = await readdir(join(src, base), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith(".") || SKIPPED_NAMES.has(entry.name)) continue;
      const path = base === "" ? entry.name : `${base}/${entry.name}`;
      if (entry.isFile() && entry.name.endsWith(".py")) found.push(path);
      else if (entry.isDirectory() && (await isFile(join(src, path, "__init__.py"))))
        found.push(path);
    }
  }
  return found;
}
