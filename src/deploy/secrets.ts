import { createRedactor } from "../runner/redact.js";

const SECRET_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** `prod-eu` → `PROD_EU`: the middle part of `PYLOT_ENV_<ENVIRONMENT>_<NAME>`. */
export function secretKey(environment: string): string {
  return environment.toUpperCase().replace(/[-.]/g, "_");
}

export interface DeploySecretsOptions {
  /**
   * Every configured environment. Without it, `PYLOT_ENV_PROD_EU_TOKEN` would also reach a
   * `prod` job as `EU_TOKEN`; with it, a variable goes only to the environment with the longest
   * matching prefix.
   */
  readonly environments?: readonly string[];
}

/**
 * The secrets of one environment's deploy job: each `PYLOT_ENV_<ENVIRONMENT>_<NAME>` variable of
 * the bot becomes `<NAME>`. Names must look like shell variables, and `PYLOT_*` names are
 * skipped so a secret cannot pose as `PYLOT_SHA` and friends.
 */
export function deploySecrets(
  variables: Readonly<Record<string, string | undefined>>,
  environment: string,
  options: DeploySecretsOptions = {},
): Record<string, string> {
  const prefix = `PYLOT_ENV_${secretKey(environment)}_`;
  const longer = (options.environments ?? [])
    .map((other) => `PYLOT_ENV_${secretKey(other)}_`)
    .filter((other) => other.length > prefix.length && other.startsWith(prefix));
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables)) {
    if (value === undefined || !key.startsWith(prefix)) continue;
    if (longer.some((other) => key.startsWith(other))) continue;
    const name = key.slice(prefix.length);
    if (!SECRET_NAME.test(name) || name.startsWith("PYLOT_")) continue;
    secrets[name] = value;
  }
  return secrets;
}

/**
 * The secrets of a deploy job resumed after a restart (the engine keeps none on disk): the
 * ones it was given by name, read again from the bot's environment. Jobs that recorded no names
 * (older ones) get the environment's secrets as before.
 */
export function resumedDeploySecrets(
  variables: Readonly<Record<string, string | undefined>>,
  step: { readonly environment: string; readonly secretNames?: readonly string[] | undefined },
): Record<string, string> {
  const secrets = deploySecrets(variables, step.environment);
  const names = step.secretNames;
  if (names === undefined) return secrets;
  return Object.fromEntries(Object.entries(secrets).filter(([name]) => names.includes(name)));
}

/**
 * Environments whose secrets cannot be told apart (`prod-eu` and `prod_eu` both read
 * `PYLOT_ENV_PROD_EU_*`); config validation should refuse them.
 */
export function secretKeyCollisions(environments: readonly string[]): string[][] {
  const byKey = new Map<string, string[]>();
  for (const env of environments) {
    const key = secretKey(env);
    byKey.set(key, [...(byKey.get(key) ?? []), env]);
  }
  return [...byKey.values()].filter((names) => names.length > 1);
}

/** Masks every secret value in text the bot is about to write (the runner's redactor). */
export function redact(
  text: string,
  secrets: Readonly<Record<string, string>> | readonly string[],
): string {
  const values: readonly string[] = Array.isArray(secrets) ? secrets : Object.values(secrets);
  return createRedactor(values).redact(text);
}
