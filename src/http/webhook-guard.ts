import type { Logger } from "pino";
import type { Store } from "../engine/ports.js";
import type { Handlers } from "../handlers/index.js";
import {
  UNVERIFIED_EVENT,
  type HookableOctokit,
  type PylotMetrics,
  type WebhookOutcome,
} from "../metrics/index.js";
import type { Lifecycle } from "./lifecycle.js";

/** The part of Probot's Context a guard uses. */
export interface DeliveryContext {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
  readonly octokit: HookableOctokit;
}

/**
 * Thrown to refuse a delivery while the server shuts down. Probot's webhook middleware answers
 * with the error's `status`, so GitHub records the delivery as failed (redeliver it from the
 * App's settings) and nothing of it was recorded here.
 */
export class ShuttingDownError extends Error {
  readonly status = 503;

  constructor() {
    super("Pylot is shutting down; redeliver this webhook later");
    this.name = "ShuttingDownError";
  }
}

/** Ids remembered for a while, oldest forgotten first, so a stray id cannot grow the set. */
class RecentIds {
  readonly #ids = new Set<string>();

  constructor(private readonly limit: number) {}

  add(id: string): void {
    this.#ids.add(id);
    for (const oldest of this.#ids) {
      if (this.#ids.size <= this.limit) break;
      this.#ids.delete(oldest);
    }
  }

  take(id: string): boolean {
    return this.#ids.delete(id);
  }
}

type DeliveryRecorder = Pick<Store, "recordDelivery">;

export interface WebhookGuardOptions {
  readonly metrics: Pick<PylotMetrics, "webhook">;
  readonly lifecycle: Lifecycle;
  readonly instrument: (octokit: HookableOctokit, installation: string) => unknown;
  readonly logger: Logger;
}

export interface WebhookGuard {
  /** The store handlers use, watched so that duplicate deliveries can be counted. */
  watchDeliveries<S extends DeliveryRecorder>(store: S): S;
  /** Handlers that refuse deliveries while draining, count outcomes and hook `context.octokit`. */
  guardHandlers(handlers: Handlers): Handlers;
  /** Probot's `onError` listener: counts deliveries whose signature did not verify. */
  onError(error: unknown): void;
}

/** `payload.installation.id` as the metrics label, "none" for events without one. */
export function installationLabel(payload: unknown): string {
  if (typeof payload !== "object" || payload === null || !("installation" in payload))
    return "none";
  const installation = payload.installation;
  if (typeof installation !== "object" || installation === null || !("id" in installation))
    return "none";
  return typeof installation.id === "number" ? String(installation.id) : "none";
}

function carriesRawEvent(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("event" in error)) return false;
  const event = error.event;
  return (
    typeof event === "object" &&
    event !== null &&
    "payload" in event &&
    typeof event.payload === "string"
  );
}

/**
 * A delivery whose signature did not verify never reaches a handler: @octokit/webhooks hands
 * its error listeners an AggregateError of an error carrying the raw event, whose payload is
 * still the unparsed body.
 */
export function isUnverifiedDelivery(error: unknown): boolean {
  const inner: unknown[] = error instanceof AggregateError ? error.errors : [error];
  return inner.some(carriesRawEvent);
}

export function createWebhookGuard(options: WebhookGuardOptions): WebhookGuard {
  const { metrics, lifecycle, logger } = options;
  const duplicates = new RecentIds(1000);

  const guard = <C extends DeliveryContext>(handle: (context: C) => Promise<void>) => {
    return async (context: C): Promise<void> => {
      if (lifecycle.draining) {
        metrics.webhook(context.name, "rejected");
        logger.warn(
          { delivery: context.id, event: context.name },
          "webhook refused: shutting down",
        );
        throw new ShuttingDownError();
      }
      const leave = lifecycle.enterDelivery();
      options.instrument(context.octokit, installationLabel(context.payload));
      let outcome: WebhookOutcome = "failed";
      try {
        await handle(context);
        outcome = duplicates.take(context.id) ? "duplicate" : "processed";
      } finally {
        metrics.webhook(context.name, outcome);
        leave();
      }
    };
  };

  return {
    watchDeliveries<S extends DeliveryRecorder>(store: S): S {
      // A proxy rather than a wrapper object: handlers may use any Store method, and adapters
      // are classes whose methods need their own `this`.
      return new Proxy(store, {
        get(target, property) {
          if (property === "recordDelivery") {
            return async (id: string, event: string) => {
              const fresh = await target.recordDelivery(id, event);
              if (!fresh) duplicates.add(id);
              return fresh;
            };
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === "function"
            ? (value as (...args: unknown[]) => unknown).bind(target)
            : value;
        },
      });
    },
    guardHandlers(handlers) {
      // Spread first: a handler added later still works, unguarded until it is listed here.
      return {
        ...handlers,
        push: guard(handlers.push),
        pullRequest: guard(handlers.pullRequest),
        checkSuite: guard(handlers.checkSuite),
        checkRun: guard(handlers.checkRun),
        issueComment: guard(handlers.issueComment),
        pullRequestClosed: guard(handlers.pullRequestClosed),
      };
    },
    onError(error) {
      if (isUnverifiedDelivery(error)) metrics.webhook(UNVERIFIED_EVENT, "rejected");
    },
  };
}
