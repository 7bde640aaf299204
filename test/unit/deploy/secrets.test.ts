import { describe, expect, it } from "vitest";
import {
  deploySecrets,
  redact,
  resumedDeploySecrets,
  secretKey,
  secretKeyCollisions,
} from "../../../src/deploy/secrets.js";

const variables = {
  PATH: "/usr/bin",
  PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----",
  PYLOT_ENV_STAGING_TOKEN: "stg-token-123",
  PYLOT_ENV_STAGING_DB_URL: "postgres://stg",
  PYLOT_ENV_STAGING_lower: "skipped: not a variable name",
  PYLOT_ENV_STAGING_1ST: "skipped: starts with a digit",
  PYLOT_ENV_STAGING_: "skipped: empty name",
  PYLOT_ENV_STAGING_PYLOT_SHA: "skipped: would pose as PYLOT_SHA",
  PYLOT_ENV_STAGING_UNSET: undefined,
  PYLOT_ENV_PRODUCTION_TOKEN: "prod-token-456",
  PYLOT_ENV_PROD_TOKEN: "p-token",
  PYLOT_ENV_PROD_EU_TOKEN: "eu-token",
  PYLOT_ENV_EU_PROD_2_TOKEN: "eu2-token",
  pylot_env_staging_TOKEN: "skipped: prefix is case-sensitive",
};

describe("deploySecrets", () => {
  it.each([
    {
      name: "staging gets its own, renamed",
      environment: "staging",
      environments: ["staging", "production"],
      expected: { TOKEN: "stg-token-123", DB_URL: "postgres://stg" },
    },
    {
      name: "production gets only production's",
      environment: "production",
      environments: ["staging", "production"],
      expected: { TOKEN: "prod-token-456" },
    },
    {
      name: "a longer environment's secrets stay out of a shorter one",
      environment: "prod",
      environments: ["prod", "prod-eu"],
      expected: { TOKEN: "p-token" },
    },
    {
      name: "without the environment list the prefix cannot tell",
      environment: "prod",
      environments: undefined,
      expected: { TOKEN: "p-token", EU_TOKEN: "eu-token" },
    },
    {
      name: "dashes and dots become underscores",
      environment: "eu.prod-2",
      environments: ["eu.prod-2"],
      expected: { TOKEN: "eu2-token" },
    },
    {
      name: "an environment without secrets",
      environment: "qa",
      environments: ["qa"],
      expected: {},
    },
  ])("$name", ({ environment, environments, expected }) => {
    const result = deploySecrets(
      variables,
      environment,
      environments === undefined ? {} : { environments },
    );

    expect(result).toEqual(expected);
  });
});

describe("secretKey and collisions", () => {
  it.each([
    ["staging", "STAGING"],
    ["prod-eu", "PROD_EU"],
    ["eu.prod-2", "EU_PROD_2"],
  ])("%s → %s", (env, expected) => {
    const result = secretKey(env);

    expect(result).toBe(expected);
  });

  it("finds environments that share a secret prefix", () => {
    const result = secretKeyCollisions(["prod-eu", "prod_eu", "prod.eu", "staging", "Staging"]);

    expect(result).toEqual([
      ["prod-eu", "prod_eu", "prod.eu"],
      ["staging", "Staging"],
    ]);
  });
});

describe("redact", () => {
  it.each([
    {
      name: "record of secrets",
      text: "curl -H 'Authorization: stg-token-123' postgres://stg",
      secrets: { TOKEN: "stg-token-123", DB_URL: "postgres://stg" },
      expected: "curl -H 'Authorization: ***' ***",
    },
    { name: "list of values", text: "a hunter22 b", secrets: ["hunter22"], expected: "a *** b" },
    {
      name: "too short to mask",
      text: "on and on",
      secrets: { FLAG: "on" },
      expected: "on and on",
    },
    { name: "no secrets", text: "plain", secrets: {}, expected: "plain" },
  ])("$name", ({ text, secrets, expected }) => {
    const result = redact(text, secrets);

    expect(result).toBe(expected);
  });
});

describe("resumedDeploySecrets", () => {
  const bot = {
    PYLOT_ENV_PROD_TOKEN: "prod-token",
    PYLOT_ENV_PROD_EU_KEY: "eu-key",
    PYLOT_ENV_PROD_ADDED_LATER: "new",
  };

  it("gives a resumed job exactly the secrets it was started with, no other environment's", () => {
    const secrets = resumedDeploySecrets(bot, { environment: "prod", secretNames: ["TOKEN"] });

    expect(secrets).toEqual({ TOKEN: "prod-token" });
  });

  it("gives a job that recorded no names its environment's prefix, as before", () => {
    const secrets = resumedDeploySecrets(bot, { environment: "prod" });

    expect(secrets).toEqual({ TOKEN: "prod-token", EU_KEY: "eu-key", ADDED_LATER: "new" });
  });
});
