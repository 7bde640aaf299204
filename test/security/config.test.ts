import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fakeChecks } from "../helpers/github-checks.js";
import { REPO, pushPayload, serveConfig, sha, usePylot } from "../helpers/github-app.js";
import { useGitHubStub } from "../helpers/github.js";

/**
 * A hostile `.github/pylot.yml`, served by the GitHub stub as the repository's own file: one
 * failing `Pylot / config` check run that says what is wrong, no pipeline, no other request.
 */

const gh = useGitHubStub();
const pylot = usePylot();

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/config/${name}`, import.meta.url), "utf8");

describe("a hostile .github/pylot.yml", () => {
  it.each([
    [
      "5 MB",
      `python: ["3.12"]\n${`# ${"x".repeat(1021)}\n`.repeat(5 * 1024)}`,
      "the file is 5121 KiB; Pylot reads config files up to 256 KiB",
      1,
    ],
    [
      "a YAML alias bomb (billion laughs)",
      fixture("evil-alias-bomb.yml"),
      "the YAML aliases expand too much (over 100 uses); Pylot refuses files that could exhaust memory",
      2,
    ],
    [
      "100,000 nested flow sequences",
      `python: ${"[".repeat(100_000)}${"]".repeat(100_000)}`,
      "the YAML is nested too deeply to read",
      2,
    ],
    [
      "a __proto__ key",
      "matrix:\n  include: [{ __proto__: { polluted: yes }, python: '3.12' }]\n",
      "__proto__",
      2,
    ],
  ])(
    "(%s) gives one failing Pylot / config check run, and nothing runs",
    async (_what, text, message, reads) => {
      const head = sha("a7");
      // Probot's loader reads the file; an unreadable one is read again, raw, to say where.
      serveConfig(gh.api(), head, text, reads);
      const checks = fakeChecks({ updates: false });

      await pylot().receive("push", pushPayload(head, "refs/heads/hostile-config"));

      expect(await pylot().store.findPipelineBySha(REPO, head)).toBeUndefined();
      expect(checks.runs).toHaveLength(1);
      expect(checks.runs[0]).toMatchObject({
        name: "Pylot / config",
        conclusion: "failure",
      });
      expect(JSON.stringify(checks.runs[0]?.output)).toContain(message);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    },
  );
});
