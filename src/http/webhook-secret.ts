/** Probot's fallback when WEBHOOK_SECRET is unset: public, so anyone could sign a webhook. */
const PROBOT_DEFAULT_SECRET = "development";

export class WebhookSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookSecretError";
  }
}

/**
 * Refuses to start without a webhook secret of the operator's choosing. Probot verifies
 * deliveries with "development" when WEBHOOK_SECRET is unset, which would let anyone post
 * forged webhooks; local development sets WEBHOOK_SECRET=development explicitly (not allowed
 * with NODE_ENV=production).
 */
export function requireWebhookSecret(env: NodeJS.ProcessEnv): void {
  const secret = env.WEBHOOK_SECRET ?? "";
  if (secret === "")
    throw new WebhookSecretError(
      "WEBHOOK_SECRET is not set, so Probot would accept webhooks signed with its public default " +
        `secret ("${PROBOT_DEFAULT_SECRET}"). Set it to the webhook secret of the GitHub App ` +
        `(its settings page); for local development, set WEBHOOK_SECRET=${PROBOT_DEFAULT_SECRET} explicitly.`,
    );
  if (secret === PROBOT_DEFAULT_SECRET && env.NODE_ENV === "production")
    throw new WebhookSecretError(
      `WEBHOOK_SECRET is Probot's public default ("${PROBOT_DEFAULT_SECRET}") with NODE_ENV=production. ` +
        "Set it to the webhook secret of the GitHub App (its settings page).",
    );
}
