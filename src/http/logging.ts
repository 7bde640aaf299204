import type { Logger } from "pino";

/**
 * Paths pino censors in every line of Pylot's loggers (and their children): keys, tokens,
 * secrets and authorization headers, wherever a caller put them in a log object.
 */
export const REDACT_PATHS = [
  "privateKey",
  "*.privateKey",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "secrets",
  "*.secrets",
  "password",
  "*.password",
  "authorization",
  "headers.authorization",
  "*.headers.authorization",
  "req.headers.cookie",
] as const;

/**
 * Pylot's logger under Probot's: JSON in production and pretty in development come from
 * Probot's `LOG_FORMAT` (default: JSON when `NODE_ENV=production`), secrets are censored here.
 */
export function pylotLogger(base: Logger): Logger {
  return base.child(
    { name: "pylot" },
    { redact: { paths: [...REDACT_PATHS], censor: "[redacted]" } },
  );
}
