import { afterEach, describe, expect, it } from "vitest";
import { TEST_REDIS_URL } from "../helpers/redis.js";
import {
  startPylotServer,
  useGitHubStubWithServer,
  type PylotServer,
} from "../integration/http/harness.js";

useGitHubStubWithServer();
let pylot: PylotServer | undefined;

afterEach(async () => {
  await pylot?.close();
  pylot = undefined;
});

describe("GET /healthz", () => {
  it("answers 200 while the process serves HTTP", async () => {
    pylot = await startPylotServer();

    const response = await pylot.get("/healthz");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ status: "ok" });
  });
});

describe("GET /readyz", () => {
  it("is ready when the store answers", async () => {
    pylot = await startPylotServer();

    const response = await pylot.get("/readyz");

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", checks: { store: "ok" } });
  });

  it("answers 503 with the reason once the store is closed", async () => {
    pylot = await startPylotServer();
    await pylot.store.close();

    const response = await pylot.get("/readyz");

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: "unavailable",
      reason: "store: The database connection is not open",
      checks: { store: "The database connection is not open" },
    });
  });

  it("checks Redis too when PYLOT_REDIS_URL is set", async () => {
    pylot = await startPylotServer({ env: { PYLOT_REDIS_URL: TEST_REDIS_URL } });

    const response = await pylot.get("/readyz");

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "ready",
      checks: { store: "ok", redis: "ok" },
    });
  });

  it("answers 503 when Redis does not", async () => {
    pylot = await startPylotServer({ env: { PYLOT_REDIS_URL: "redis://127.0.0.1:1" } });

    const response = await pylot.get("/readyz");
    const body = (await response.json()) as { reason: string; checks: Record<string, string> };

    expect(response.status).toBe(503);
    expect(body.checks["store"]).toBe("ok");
    expect(body.reason).toMatch(/^redis: /);
  });
});
