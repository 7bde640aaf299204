import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import { REPO, pushPayload, serveConfig, serveTarball, sha } from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";
import { startRetryingPylot, type RetryingPylot } from "./retrying-pylot.js";

const gh = useGitHubStub();
let pylot: RetryingPylot;

beforeEach(async () => {
  pylot = await startRetryingPylot();
});
afterEach(async () => {
  await pylot.close();
});

const QUICK = `
install: []
lint: { flake8: false, black: false, pylint: false }
typecheck: { mypy: false }
security: { bandit: false }
test: { run: "python -c 'import okcalc'", coverage: false }
`;
const DONE = [
  ["Pylot", "completed", "success"],
  ["Pylot / test (3.11, linux)", "completed", "success"],
];

async function arrange(head: string) {
  const api = gh.api();
  serveConfig(api, head, QUICK);
  await serveTarball(api, head, "ok");
  return api;
}

describe(
  "GitHub failing check run writes, with Probot's retry and throttling on",
  { timeout: 60_000 },
  () => {
    it("a 502 on a create GitHub did make leaves one check run per name", async () => {
      const head = sha("a1");
      await arrange(head);
      const checks = fakeChecks();
      checks.failCreates(1);
      checks.serveList();

      await pylot.receive("push", pushPayload(head, "refs/heads/flaky"));
      await pylot.settle(head);

      expect(checks.states(head)).toEqual(DONE);
    });

    it("a 403 secondary rate limit is retried after its retry-after, without a duplicate", async () => {
      const head = sha("b2");
      await arrange(head);
      gh.api()
        .post(`/repos/${REPO}/check-runs`)
        .reply(
          403,
          { message: "You have exceeded a secondary rate limit. Please wait a few minutes." },
          { "retry-after": "7" },
        );
      const checks = fakeChecks();

      await pylot.receive("push", pushPayload(head, "refs/heads/limited"));
      await pylot.settle(head);

      expect(pylot.limits).toEqual([["secondary", 7]]);
      expect(checks.states(head)).toEqual(DONE);
    });

    it("a 429 with an exhausted rate limit waits for its reset, without a duplicate", async () => {
      const head = sha("c3");
      await arrange(head);
      const reset = Math.floor(Date.now() / 1000) + 30;
      gh.api()
        .post(`/repos/${REPO}/check-runs`)
        .reply(
          429,
          { message: "API rate limit exceeded" },
          { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
        );
      const checks = fakeChecks();

      await pylot.receive("push", pushPayload(head, "refs/heads/limited"));
      await pylot.settle(head);

      expect(pylot.limits).toHaveLength(1);
      expect(pylot.limits[0]?.[0]).toBe("primary");
      // Seconds until the reset, plus one: honoured from the header, not a fixed backoff.
      expect(pylot.limits[0]?.[1]).toBeGreaterThanOrEqual(25);
      expect(checks.states(head)).toEqual(DONE);
    });
  },
);
