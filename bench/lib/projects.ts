import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export interface ProjectSpec {
  /** A folder copied first (a fixture project), without its __pycache__. */
  readonly from?: string;
  /** Files written over it: relative path → content. */
  readonly files: Readonly<Record<string, string>>;
  /** `.github/pylot.yml`. */
  readonly config: string;
}

/** A Python project in a fresh folder under `parent`: the bench never edits fixtures. */
export async function makeProject(
  parent: string,
  name: string,
  spec: ProjectSpec,
): Promise<string> {
  const dir = join(await mkdtemp(join(parent, `${name}-`)), name);
  if (spec.from === undefined) await mkdir(dir, { recursive: true });
  else
    await cp(spec.from, dir, { recursive: true, filter: (src) => basename(src) !== "__pycache__" });
  const files = { ...spec.files, ".github/pylot.yml": spec.config };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** The folder as GitHub serves a tarball: gzip, one top folder. */
export async function tarballOfDir(dir: string): Promise<Buffer> {
  const out = join(await mkdtemp(join(dirname(dir), "tar-")), "source.tar.gz");
  await exec("tar", ["-czf", out, "--exclude=__pycache__", "-C", dirname(dir), basename(dir)]);
  const bytes = await readFile(out);
  await rm(dirname(out), { recursive: true, force: true });
  return bytes;
}

/** Fake 40-hex commit ids, distinct per (scenario, n). */
export function benchSha(scenario: number, n: number): string {
  return `${scenario.toString(16).padStart(2, "0")}${n.toString(16).padStart(8, "0")}`.padEnd(
    40,
    "b",
  );
}
