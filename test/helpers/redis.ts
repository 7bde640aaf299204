import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";

/** The Redis of integration tests: `PYLOT_TEST_REDIS_URL`, set by `.ci/run`. */
export const TEST_REDIS_URL = process.env.PYLOT_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A BullMQ prefix no other test run uses, so runs on one Redis never see each other's jobs. */
export function uniquePrefix(): string {
  return `pylot-test-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** Opens a queue of a test's prefix, to look at its jobs. Close it when done. */
export function inspectQueue(prefix: string, name: string): Queue {
  return new Queue(name, {
    connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null },
    prefix,
  });
}

/** Deletes every key of a prefix (BullMQ's and Pylot's own); returns how many there were. */
export async function removeKeys(prefix: string): Promise<number> {
  const queue = inspectQueue(prefix, "cleanup");
  try {
    // Ready first: a queue records its own meta key as it starts, which the scan must see.
    await queue.waitUntilReady();
    const client = await queue.getBackend().client;
    let cursor = "0";
    let removed = 0;
    do {
      const [next, keys] = await client.scan(cursor, { MATCH: `${prefix}:*`, COUNT: 1000 });
      cursor = next;
      if (keys.length > 0) removed += await client.del(...keys);
    } while (cursor !== "0");
    return removed;
  } finally {
    await queue.close();
  }
}
