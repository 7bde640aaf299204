/** The bot's own credentials by variable name; deploy secrets are every PYLOT_ENV_* value. */
const HOST_SECRET_NAMES = [
  "WEBHOOK_SECRET",
  "PRIVATE_KEY",
  "GITHUB_TOKEN",
  "GITHUB_CLIENT_SECRET",
  "PYLOT_DATABASE_URL",
  "PYLOT_REDIS_URL",
  "PYLOT_BADGE_SECRET",
] as const;

function urlPassword(value: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(value).password);
    return password === "" ? undefined : password;
  } catch {
    return undefined;
  }
}

/**
 * Values of the host's environment that must never appear in a job's output. Jobs do not get
 * them in their environment, but a job running as the bot's uid can still read them from
 * `/proc/<bot pid>/environ` and print them; masking them is the last line of defence.
 */
export function hostSecrets(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    const listed = (HOST_SECRET_NAMES as readonly string[]).includes(name);
    if (value === undefined || value === "" || !(listed || name.startsWith("PYLOT_ENV_"))) continue;
    values.push(value);
    const password = urlPassword(value);
    if (password !== undefined) values.push(password);
  }
  return values;
}
