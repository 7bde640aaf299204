import { randomUUID } from "node:crypto";
import type { RedisClient } from "bullmq";
import type { Logger } from "pino";
import { pylotKeys } from "./names.js";

/**
 * Notices that Redis lost its data (restarted without AOF/RDB, flushed): a marker key without a
 * TTL is written once per dataset, and a replica that saw one value and then finds none, or
 * another one, knows everything Redis held went with it. The jobs themselves are recovered by
 * lost-jobs.ts whatever the cause; this only says why, once, where an operator looks.
 */
export class RedisEpoch {
  readonly #client: () => Promise<RedisClient>;
  readonly #key: string;
  readonly #log: Logger;
  #known: string | undefined;

  constructor(options: {
    readonly client: () => Promise<RedisClient>;
    readonly prefix: string;
    readonly logger: Logger;
  }) {
    this.#client = options.client;
    this.#key = pylotKeys.epoch(options.prefix);
    this.#log = options.logger;
  }

  /** True when the marker this replica saw last is gone or replaced (one GET when it is not). */
  async changed(): Promise<boolean> {
    const client = await this.#client();
    let current = await client.get(this.#key);
    if (current === null) {
      // No SET NX in BullMQ's client: two replicas may both write; each adopts what it reads back.
      await client.set(this.#key, `${new Date().toISOString()} ${randomUUID()}`);
      current = await client.get(this.#key);
    }
    const known = this.#known;
    this.#known = current ?? undefined;
    if (known === undefined || known === current) return false;
    this.#log.warn(
      {
        noticedAt: current?.split(" ")[0],
        effect: "queued and running jobs it held are failed as lost",
        fix: "run Redis with persistence (appendonly yes)",
      },
      "Redis lost its data",
    );
    return true;
  }
}
