import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWheelCheck, WHEEL_CHECK_SCRIPT } from "../../../src/runner/artifacts.js";
import { interpreter, removeDir, tempDir } from "./harness.js";

const run = promisify(execFile);

/** Writes a wheel-shaped zip: members as given, RECORD computed then altered by `record`. */
const MAKE_WHEEL = String.raw`
import base64, hashlib, json, sys, zipfile
path, spec = sys.argv[1], json.loads(sys.argv[2])
members = spec["members"]
def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data.encode()).digest()).rstrip(b"=").decode()
rows = ["%s,%s,%d" % (name, digest(data), len(data)) for name, data in members.items()]
rows = [row for row in rows if row.split(",")[0] not in spec.get("unlisted", [])]
rows += ["%s,sha256=AAAA,1" % name for name in spec.get("phantom", [])]
rows.append("demo-1.0.dist-info/RECORD,,")
with zipfile.ZipFile(path, "w") as zf:
    for name, data in members.items():
        zf.writestr(name, spec.get("tamper", {}).get(name, data))
    zf.writestr("demo-1.0.dist-info/RECORD", "\n".join(rows) + "\n")
`;

const METADATA = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\nlong description\n";
const base = { "demo/__init__.py": "X = 1\n", "demo-1.0.dist-info/METADATA": METADATA };

describe("the wheel check (no twine)", () => {
  let dir: string;
  let python: string;

  beforeAll(async () => {
    dir = await tempDir("pylot-wheel-check-");
    python = (await interpreter("3.11")).path;
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it.each([
    ["a well-formed wheel", { members: base }, []],
    [
      "METADATA without a Version",
      {
        members: {
          ...base,
          "demo-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: demo\n\nVersion: 9\n",
        },
      },
      ["METADATA has no Version"],
    ],
    [
      "a file changed after RECORD was written",
      { members: base, tamper: { "demo/__init__.py": "X = 2\n" } },
      ["hash mismatch for demo/__init__.py"],
    ],
    [
      "a file RECORD does not list",
      { members: base, unlisted: ["demo/__init__.py"] },
      ["RECORD does not list demo/__init__.py"],
    ],
    [
      "RECORD naming a missing file",
      { members: base, phantom: ["demo/gone.py"] },
      ["RECORD lists demo/gone.py, which is not in the wheel"],
    ],
    [
      "no METADATA",
      { members: { "demo/__init__.py": "X = 1\n" } },
      ["demo-1.0.dist-info/METADATA is missing"],
    ],
  ])("%s", async (name, spec, problems) => {
    const wheel = join(dir, `${name.replace(/\W+/g, "-")}.whl`);
    await run(python, ["-I", "-c", MAKE_WHEEL, wheel, JSON.stringify(spec)]);

    const { stdout } = await run(python, ["-I", "-c", WHEEL_CHECK_SCRIPT, wheel]);

    expect(parseWheelCheck(stdout)).toEqual(problems);
  });

  it("refuses a file that is not a zip", async () => {
    const wheel = join(dir, "plain.whl");
    await run(python, ["-I", "-c", "import sys; open(sys.argv[1], 'w').write('hello')", wheel]);

    const { stdout } = await run(python, ["-I", "-c", WHEEL_CHECK_SCRIPT, wheel]);

    expect(parseWheelCheck(stdout)).toEqual([expect.stringMatching(/^not a zip file/)]);
  });

  it.each([["not json"], ['{"a": 1}'], [""]])("treats %j as no verdict", (stdout) => {
    expect(parseWheelCheck(stdout)).toEqual(["the wheel check gave no verdict"]);
  });
});
