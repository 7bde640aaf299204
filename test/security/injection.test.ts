import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import {
  REPO,
  pushPayload,
  serveConfig,
  sha,
  startPylot,
  type TestPylot,
} from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { ChatOpsGitHub, DEPLOY_CONFIG, commentPayload } from "../app/chatops-fixtures.js";
import { tarballFrom } from "./projects.js";

const gh = useGitHubStub();
const exec = promisify(execFile);
let pylot: TestPylot;
let marker = "";

beforeEach(async () => {
  marker = join(tmpdir(), `pwned-${randomBytes(6).toString("hex")}`);
  pylot = await startPylot();
});
afterEach(async () => {
  await pylot.close();
  await rm(marker, { force: true });
});

const LIST = `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -c 'import os; print(chr(10).join(sorted(os.listdir())))'", coverage: false }
`;

const hostile = (m: string) => [
  `$(touch ${m})`,
  `\`touch ${m}\``,
  `; touch ${m};`,
  `\n touch ${m}`,
];

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

/** A tarball made by Python's tarfile, which writes any member name or link it is given. */
async function craftedTarball(members: { name: string; link?: string; text?: string }[]) {
  const dir = await mkdtemp(join(tmpdir(), "pylot-sec-craft-"));
  const file = join(dir, "crafted.tar.gz");
  const script = `
import io, json, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    for m in json.loads(sys.argv[2]):
        info = tarfile.TarInfo(m["name"])
        if "link" in m:
            info.type = tarfile.SYMTYPE
            info.linkname = m["link"]
            t.addfile(info)
        else:
            data = m.get("text", "").encode()
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
`;
  await exec("/usr/bin/python3", ["-c", script, file, JSON.stringify(members)]);
  const bytes = await readFile(file);
  await rm(dir, { recursive: true, force: true });
  return bytes;
}

describe("hostile names from a payload or a repository", () => {
  it("a branch name and file names with shell syntax run nothing and break no markdown", async () => {
    const head = sha("1a");
    const api = gh.api();
    serveConfig(api, head, LIST);
    const files: Record<string, string> = { "setup.py": "", "```": "", "</details>": "" };
    for (const name of hostile(marker)) files[`${name.replace("\n", "")}.py`] = "";
    api.get(`/repos/${REPO}/tarball/${head}`).reply(200, await tarballFrom(files));
    const checks = fakeChecks();
    const ref = `refs/heads/${hostile(marker).join("")}`;

    await pylot.receive("push", pushPayload(head, ref));
    const view = await pylot.settle(head);

    expect(await exists(marker)).toBe(false);
    expect(view.pipeline.conclusion).toBe("success");
    const text = checks.latest("Pylot / test (3.11, linux)")?.output.text ?? "";
    // The log tail is one fenced block: a log line "```" must not close it early.
    const fences = [...text.matchAll(/^(`{3,}|~{3,})/gm)].map((m) => m[1] ?? "");
    const open = fences[0] ?? "";
    const closers = fences.slice(1).filter((f) => f[0] === open[0] && f.length >= open.length);
    expect(open.length).toBeGreaterThanOrEqual(3);
    expect(closers).toHaveLength(1);
    expect(text.trimEnd().endsWith(open)).toBe(true);
    expect(text).toContain("$(touch ");
  });

  it.each([
    ["a ../ member", [{ name: "project/../../ESCAPE", text: "x" }]],
    ["an absolute member", [{ name: "/tmp/ESCAPE", text: "x" }]],
    [
      "a member written through a symlink that points outside",
      [
        { name: "project/setup.py", text: "" },
        { name: "project/out", link: "/tmp" },
        { name: "project/out/ESCAPE", text: "x" },
      ],
    ],
  ])("a source tarball with %s writes nothing outside the workspace", async (_what, members) => {
    const head = sha("2b");
    const name = `pwned-${randomBytes(6).toString("hex")}`;
    const crafted = members.map((m) => ({ ...m, name: m.name.replace("ESCAPE", name) }));
    const api = gh.api();
    serveConfig(api, head, LIST);
    api.get(`/repos/${REPO}/tarball/${head}`).reply(200, await craftedTarball(crafted));
    const checks = fakeChecks();

    await pylot.receive("push", pushPayload(head, "refs/heads/tar"));
    const view = await pylot.settle(head);

    expect((await readdir(tmpdir())).filter((entry) => entry === name)).toEqual([]);
    expect(view.pipeline.status).toBe("completed");
    expect(view.pipeline.conclusion).toBe("failure");
    expect(checks.latest("Pylot / test (3.11, linux)")?.output.summary).toMatch(
      /unsafe member|could not extract the source tarball/,
    );
    expect(checks.runs.every((run) => run.status === "completed")).toBe(true);
  });
});

describe("hostile comment arguments", () => {
  it.each([
    ["/deploy $(touch MARKER)"],
    ["/deploy `touch MARKER`"],
    ["/deploy staging; touch MARKER"],
    ["/deploy ../../staging"],
    ["/rollback staging to $(touch MARKER)"],
    ["/unlock staging`touch MARKER`"],
  ])("%s is refused without echoing it or asking who the author is", async (text) => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .acceptReplies(1)
      .acceptReactions(2);

    await pylot.receive("issue_comment", commentPayload(text.replace("MARKER", marker)));

    expect(await exists(marker)).toBe(false);
    expect(stub.reactions).toEqual(["eyes", "confused"]);
    expect(stub.replies[0]).toMatch(/arguments may only use letters, digits|which environment/);
    expect(stub.replies[0]).not.toContain(marker);
  });

  it("a /lock reason is echoed with markdown, HTML and mentions escaped", async () => {
    const stub = new ChatOpsGitHub(gh.api())
      .defaultConfig(DEPLOY_CONFIG)
      .permission("maintainer", "write")
      .acceptReplies(1)
      .acceptReactions(2);
    const reason = `$(touch ${marker}) \`x\` [l](javascript:alert(1)) <img src=x> \`\`\` @org/team | c`;

    await pylot.receive("issue_comment", commentPayload(`/lock staging ${reason}`));

    expect(await exists(marker)).toBe(false);
    expect(stub.reactions).toEqual(["eyes", "rocket"]);
    const echoed = /pull request: (.*)\. Others cannot/s.exec(stub.replies[0] ?? "")?.[1] ?? "";
    expect(echoed).toContain("touch");
    expect(echoed).not.toMatch(/(?<!\\)[`[|<]/);
    expect(echoed).not.toContain("@org");
  });
});
