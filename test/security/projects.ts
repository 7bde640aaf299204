import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** A project made by the test (file name → text), as GitHub serves its tarball (one top folder). */
export async function tarballFrom(files: Record<string, string>, top = "project"): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "pylot-sec-tar-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, top, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    }
    const file = join(dir, "project.tar.gz");
    await exec("tar", ["-czf", file, "-C", dir, top]);
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
