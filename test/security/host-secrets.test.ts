import { describe, expect, it } from "vitest";
import { hostSecrets } from "../../src/runner/index.js";

describe("hostSecrets", () => {
  it.each([
    ["the webhook secret", { WEBHOOK_SECRET: "whsec" }, ["whsec"]],
    [
      "a database URL and its password",
      { PYLOT_DATABASE_URL: "postgres://u:p%40ss@h/db" },
      ["postgres://u:p%40ss@h/db", "p@ss"],
    ],
    ["a Redis URL without a password", { PYLOT_REDIS_URL: "redis://h:6379" }, ["redis://h:6379"]],
    ["a deploy secret", { PYLOT_ENV_STAGING_TOKEN: "tok-123" }, ["tok-123"]],
    ["ordinary variables", { PATH: "/usr/bin", HOME: "/root", PYLOT_CONCURRENCY: "2" }, []],
    ["empty values", { GITHUB_TOKEN: "" }, []],
  ])("keeps %s", (_what, env, expected) => {
    const values = hostSecrets(env);

    expect(values).toEqual(expected);
  });
});
