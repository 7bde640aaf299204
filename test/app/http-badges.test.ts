import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatPercent, renderBadge } from "../../src/http/index.js";
import { fakeChecks } from "../helpers/github-checks.js";
import { pushPayload, serveConfig, serveTarball, sha, QUICK } from "../helpers/github-app.js";
import {
  startPylotServer,
  useGitHubStubWithServer,
  type PylotServer,
} from "../integration/http/harness.js";
import { noPullRequests } from "./reports-fakes.js";

/** Badges of real pipelines: pushes to main run on the local runner with real Python. */

const gh = useGitHubStubWithServer();
let pylot: PylotServer;

beforeEach(async () => {
  pylot = await startPylotServer();
});
afterEach(async () => {
  await pylot.close();
});

const BADGES = "/badges/Codertocat/Hello-World";
const WITH_COVERAGE = `
python: ["3.11"]
venv: { system-site-packages: true }
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -m pytest -q", coverage: { minimum: 50 } }
`;

async function fixtureConfig(project: string): Promise<string> {
  const path = resolve(import.meta.dirname, `../fixtures/projects/${project}/.github/pylot.yml`);
  return readFile(path, "utf8");
}

/** Pushes a commit of a fixture project to main and waits for its pipeline. */
async function pushToMain(commit: string, project: string, config: string) {
  const api = gh.api();
  serveConfig(api, commit, config);
  await serveTarball(api, commit, project);
  await pylot.receive("push", pushPayload(commit, "refs/heads/main"));
  return pylot.settle(commit);
}

/**
 * Pushes a commit of the failing-test project (unittest, one failure) to main: its test results
 * make the App look for an open pull request of the commit to comment on; there is none.
 */
async function pushFailingToMain(commit: string) {
  noPullRequests(gh.api());
  return pushToMain(commit, "failing-test", await fixtureConfig("failing-test"));
}

/** What a badge says: its `<title>`, "label: message". */
async function badge(path: string): Promise<string> {
  const response = await pylot.get(path);
  expect(response.status).toBe(200);
  const svg = await response.text();
  return /<title>([^<]*)<\/title>/.exec(svg)?.[1] ?? svg;
}

describe("the status badge of a branch", () => {
  it("follows the last finished pipeline: failing, then passing after a fixing push", async () => {
    fakeChecks();
    await pushFailingToMain(sha("a1"));
    const before = await badge(`${BADGES}/status.svg?branch=main`);

    await pushToMain(sha("b2"), "ok", QUICK);
    const after = await badge(`${BADGES}/status.svg?branch=main`);

    expect(before).toBe("pylot: failing");
    expect(after).toBe("pylot: passing");
  });

  it("shows one job with ?check=, by its name with or without the check run prefix", async () => {
    fakeChecks();
    await pushFailingToMain(sha("c3"));

    const titles = [
      await badge(`${BADGES}/status.svg?branch=main&check=test%20(3.11%2C%20linux)`),
      await badge(`${BADGES}/status.svg?branch=main&check=Pylot%20%2F%20test%20(3.11%2C%20linux)`),
      await badge(`${BADGES}/status.svg?branch=main&check=build`),
    ];

    expect(titles).toEqual([
      "test (3.11, linux): failing",
      "Pylot / test (3.11, linux): failing",
      "build: unknown",
    ]);
  });

  it("is unknown for a branch without pipelines", async () => {
    fakeChecks();
    await pushToMain(sha("d4"), "ok", QUICK);

    const title = await badge(`${BADGES}/status.svg?branch=elsewhere`);

    expect(title).toBe("pylot: unknown");
  });
});

describe("the coverage badge of a branch", () => {
  it("shows the total the coverage leg measured, green above the configured minimum", async () => {
    fakeChecks();
    // A measured push looks for an open pull request of its commit to comment on: none here.
    gh.api()
      .persist()
      .get(/^\/repos\/Codertocat\/Hello-World\/commits\/[0-9a-f]{40}\/pulls/)
      .reply(200, []);
    const view = await pushToMain(sha("e5"), "ok", WITH_COVERAGE);
    const measured = view.jobs.find((job) => job.spec.key === "test-3.11-linux")?.result?.coverage;

    const response = await pylot.get(`${BADGES}/coverage.svg?branch=main`);
    const svg = await response.text();

    expect(view.pipeline.conclusion).toBe("success");
    expect(measured).toBeGreaterThan(50);
    const message = formatPercent(measured ?? 0);
    expect(svg).toBe(renderBadge({ label: "coverage", message, color: "brightgreen" }).svg);
  });

  it("is unknown when the pipeline measured no coverage", async () => {
    fakeChecks();
    await pushToMain(sha("f6"), "ok", QUICK);

    const title = await badge(`${BADGES}/coverage.svg?branch=main`);

    expect(title).toBe("coverage: unknown");
  });
});

describe("badge caching", () => {
  it("sends SVG with no-cache headers and an ETag, 304 for a matching If-None-Match", async () => {
    fakeChecks();
    await pushToMain(sha("a7"), "ok", QUICK);
    const first = await pylot.get(`${BADGES}/status.svg?branch=main`);
    const etag = first.headers.get("etag") ?? "";

    const again = await pylot.get(`${BADGES}/status.svg?branch=main`, { "if-none-match": etag });

    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("image/svg+xml");
    expect(first.headers.get("cache-control")).toBe("no-cache, no-store, must-revalidate");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.text()).toBe("");
  });

  it("changes the ETag when the badge changes", async () => {
    fakeChecks();
    await pushFailingToMain(sha("b8"));
    const failing = await pylot.get(`${BADGES}/status.svg?branch=main`);
    const etag = failing.headers.get("etag") ?? "";

    await pushToMain(sha("c9"), "ok", QUICK);
    const passing = await pylot.get(`${BADGES}/status.svg?branch=main`, { "if-none-match": etag });

    expect(passing.status).toBe(200);
    expect(passing.headers.get("etag")).not.toBe(etag);
  });
});
