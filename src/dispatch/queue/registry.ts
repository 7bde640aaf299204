import type { RedisClient } from "bullmq";
import type { Logger } from "pino";
import { pylotKeys } from "./names.js";
import { RunnerInfoSchema, type RunnerInfo } from "./runner-info.js";

/**
 * Runner liveness in Redis: each runner renews a key with a TTL (its heartbeat) and keeps its
 * description in one hash, so a reader lists runners without scanning the keyspace, and a
 * runner that died (kill -9, lost host) drops out when its TTL ends: Redis's clock decides, not
 * the hosts'.
 */
export class RunnerRegistry {
  readonly #client: () => Promise<RedisClient>;
  readonly #prefix: string;
  readonly #log: Logger;

  constructor(options: {
    readonly client: () => Promise<RedisClient>;
    readonly prefix: string;
    readonly logger: Logger;
  }) {
    this.#client = options.client;
    this.#prefix = options.prefix;
    this.#log = options.logger;
  }

  /** One heartbeat: the runner counts as live for `ttlMs` from now. */
  async beat(info: RunnerInfo, ttlMs: number): Promise<void> {
    const client = await this.#client();
    await client.set(pylotKeys.alive(this.#prefix, info.id), "1", { PX: ttlMs });
    await client.hset(pylotKeys.runners(this.#prefix), { [info.id]: JSON.stringify(info) });
  }

  /** A runner that stops cleanly leaves at once rather than when its TTL ends. */
  async leave(runnerId: string): Promise<void> {
    const client = await this.#client();
    await client.del(pylotKeys.alive(this.#prefix, runnerId));
    await client.hdel(pylotKeys.runners(this.#prefix), runnerId);
  }

  /** The runners whose heartbeat has not expired; entries of dead ones are removed. */
  async live(): Promise<RunnerInfo[]> {
    const client = await this.#client();
    const entries = Object.entries(await client.hgetall(pylotKeys.runners(this.#prefix)));
    const alive = await Promise.all(
      entries.map(([id]) => client.get(pylotKeys.alive(this.#prefix, id))),
    );
    const live: RunnerInfo[] = [];
    for (const [index, [id, json]] of entries.entries()) {
      const info = alive[index] === null ? undefined : parseInfo(json);
      if (info === undefined) {
        await client.hdel(pylotKeys.runners(this.#prefix), id);
        continue;
      }
      live.push(info);
    }
    this.#log.debug({ runners: live.map((r) => r.id) }, "live runners");
    return live;
  }
}

function parseInfo(json: string): RunnerInfo | undefined {
  try {
    const parsed = RunnerInfoSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
