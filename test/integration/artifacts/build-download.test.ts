import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { noPullRequests } from "../../app/reports-fakes.js";
import { fakeChecks } from "../../helpers/github-checks.js";
import { REPO, pushPayload, serveConfig, serveTarball, sha } from "../../helpers/github-app.js";
import { startPylotServer, useGitHubStubWithServer, type PylotServer } from "../http/harness.js";

/**
 * What CI built is what is served: a real pipeline of the wheel-app fixture (pytest, then
 * `python -m build`, then its integration tests against the built wheel) through the App; its
 * wheel and sdist land in the artifact store, are listed on `Pylot / build`, and the bot's
 * download route serves exactly those bytes, even once the runner's copies are gone.
 */

const gh = useGitHubStubWithServer();
let pylot: PylotServer | undefined;
let workdir = "";

afterEach(async () => {
  await pylot?.close();
  await rm(workdir, { recursive: true, force: true });
});

const PUBLIC_URL = "https://pylot.example";
const PROJECT = resolve(import.meta.dirname, "../../fixtures/projects/wheel-app");
const WHEEL = "wheel_app-1.2.3-py3-none-any.whl";
const SDIST = "wheel-app-1.2.3.tar.gz";

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

describe("a build's artifacts", () => {
  it("are kept by the engine, tested as installed, listed on the check run and served", async () => {
    workdir = await mkdtemp(join(tmpdir(), "pylot-artifacts-app-"));
    pylot = await startPylotServer({ workdir, env: { PYLOT_PUBLIC_URL: PUBLIC_URL } });
    const checks = fakeChecks();
    const commit = sha("d1");
    serveConfig(gh.api(), commit, await readFile(join(PROJECT, ".github/pylot.yml"), "utf8"));
    await serveTarball(gh.api(), commit, "wheel-app");
    noPullRequests(gh.api());

    await pylot.receive("push", pushPayload(commit, "refs/heads/feature"));
    const view = await pylot.settle(commit);

    expect(view.jobs.map((job) => [job.spec.key, job.conclusion])).toEqual([
      ["test-3.11-linux", "success"],
      ["build", "success"],
      ["integration-3.11", "success"],
    ]);
    const build = view.jobs.find((job) => job.spec.key === "build")?.result;
    const kept = await pylot.services.artifacts.artifactsFor(REPO, commit);
    expect(kept.map(({ record }) => [record.name, record.kind, record.job])).toEqual([
      [SDIST, "sdist", `${view.pipeline.id}:build`],
      [WHEEL, "wheel", `${view.pipeline.id}:build`],
    ]);
    for (const { record, path } of kept) {
      const bytes = await readFile(path);
      expect(path.startsWith(join(workdir, "artifacts"))).toBe(true);
      expect({ size: bytes.length, sha256: sha256(bytes) }).toEqual({
        size: record.size,
        sha256: record.sha256,
      });
      expect(build?.artifacts).toContainEqual({
        name: record.name,
        kind: record.kind,
        size: record.size,
        sha256: record.sha256,
      });
      expect(build?.reports[`dist/${record.name}`]).toBe(path);
    }
    const integration = view.jobs.find((job) => job.spec.key === "integration-3.11")?.result;
    const log = await readFile(integration?.reports["job.log"] ?? "", "utf8");
    expect(log).toMatch(new RegExp(`pip install --no-input \\S+ /\\S+/wheels/${WHEEL}\\n`));
    expect(log).toContain("Successfully installed wheel-app-1.2.3");

    const summary = checks.latest("Pylot / build")?.output.summary ?? "";
    const links = [...summary.matchAll(/\]\((https:\/\/pylot\.example\/[^)]+)\)/g)].map(
      (match) => new URL(match[1] ?? ""),
    );
    expect(links.map((url) => url.pathname)).toEqual(
      [SDIST, WHEEL].map((name) => `/artifacts/${REPO}/${commit}/${name}`),
    );
    for (const { record } of kept) expect(summary).toContain(`\`${record.sha256}\``);

    // The runner's copies go (its next attempt, or a cleanup): the kept ones are served still.
    await rm(join(workdir, "reports"), { recursive: true, force: true });
    for (const link of links) {
      const record = kept.find((k) => link.pathname.endsWith(`/${k.record.name}`))?.record;
      const response = await pylot.get(link.pathname);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(response.status).toBe(200);
      expect(response.headers.get("x-checksum-sha256")).toBe(record?.sha256);
      expect(sha256(bytes)).toBe(record?.sha256);
      expect(bytes.length).toBe(record?.size);
    }
  });
});
