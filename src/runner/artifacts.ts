import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { Artifact } from "../pipeline/types.js";
import { parseJson } from "./read-capped.js";

/** The kind of a file in a build's output folder; undefined for files that are neither. */
export function artifactKind(name: string): Artifact["kind"] | undefined {
  if (name.endsWith(".whl")) return "wheel";
  if (name.endsWith(".tar.gz") || name.endsWith(".zip")) return "sdist";
  return undefined;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Name, size and SHA-256 of each wheel and sdist in `dir`, sorted by name. */
export async function describeArtifacts(
  dir: string,
  names: readonly string[],
): Promise<Artifact[]> {
  const found: Artifact[] = [];
  for (const name of [...names].sort()) {
    const kind = artifactKind(name);
    if (kind === undefined) continue;
    const path = join(dir, name);
    const [info, digest] = await Promise.all([stat(path), sha256File(path)]);
    found.push({ name, size: info.size, sha256: digest, kind });
  }
  return found;
}

/** "1.2 KiB": sizes as a summary shows them. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit] ?? "GiB"}`;
}

/**
 * Checks a wheel the way `twine check` would when twine is missing: METADATA has the required
 * fields, and RECORD lists every file with its hash and size. Run with the job's interpreter
 * (`python -I -c WHEEL_CHECK_SCRIPT <wheel>`): zipfile there reads any wheel. Bounded: at most
 * MAX_ENTRIES members and MAX_BYTES of uncompressed data are read; more is a problem.
 */
export const WHEEL_CHECK_SCRIPT = String.raw`
import base64, csv, hashlib, io, json, sys, zipfile
MAX_ENTRIES, MAX_BYTES = 20000, 1 << 30
problems = []
def out():
    print(json.dumps(problems[:50]))
    sys.exit(0)
try:
    zf = zipfile.ZipFile(sys.argv[1])
except Exception as error:
    problems.append("not a zip file: %s" % error)
    out()
infos = zf.infolist()
if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_BYTES:
    problems.append("too large to check: %d files" % len(infos))
    out()
names = [i.filename for i in infos if not i.filename.endswith("/")]
info_dirs = sorted({n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info") and "/" in n})
if len(info_dirs) != 1:
    problems.append("expected one .dist-info folder, found %d" % len(info_dirs))
    out()
info = info_dirs[0]
try:
    meta = zf.read(info + "/METADATA").decode("utf-8", "replace")
except KeyError:
    problems.append(info + "/METADATA is missing")
    meta = None
if meta is not None:
    head = meta.split("\n\n", 1)[0]
    keys = {line.split(":", 1)[0].strip().lower() for line in head.splitlines() if ":" in line and not line[:1].isspace()}
    for field in ("Metadata-Version", "Name", "Version"):
        if field.lower() not in keys:
            problems.append("METADATA has no %s" % field)
record_name = info + "/RECORD"
try:
    rows = list(csv.reader(io.StringIO(zf.read(record_name).decode("utf-8", "replace"))))
except KeyError:
    problems.append(record_name + " is missing")
    out()
listed = {}
for row in rows:
    if row and row[0]:
        listed[row[0]] = row[1:]
for name in names:
    entry = listed.pop(name, None)
    if entry is None:
        problems.append("RECORD does not list %s" % name)
        continue
    if name == record_name or name.endswith(".dist-info/RECORD.jws") or name.endswith(".dist-info/RECORD.p7s"):
        continue
    digest = entry[0] if entry else ""
    algo, _, expected = digest.partition("=")
    if algo != "sha256":
        problems.append("RECORD has no sha256 for %s" % name)
        continue
    actual = base64.urlsafe_b64encode(hashlib.sha256(zf.read(name)).digest()).rstrip(b"=").decode()
    if actual != expected:
        problems.append("hash mismatch for %s" % name)
for name in sorted(listed):
    problems.append("RECORD lists %s, which is not in the wheel" % name)
out()
`;

const Problems = z.array(z.string());

/** The check's verdict from its stdout; output that is not its JSON is a problem of its own. */
export function parseWheelCheck(stdout: string): string[] {
  const parsed = Problems.safeParse(parseJson(stdout.trim()));
  return parsed.success ? parsed.data : ["the wheel check gave no verdict"];
}
