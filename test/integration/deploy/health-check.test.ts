import { afterEach, describe, expect, it } from "vitest";
import { checkHealth } from "../../../src/deploy/health.js";
import { startHealthServer, type HealthServer } from "../../helpers/health-server.js";

const servers: HealthServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(mode: HealthServer["mode"]): Promise<HealthServer> {
  const server = await startHealthServer(mode);
  servers.push(server);
  return server;
}

describe("checkHealth against a real local service", () => {
  it("is healthy at the first 2xx", async () => {
    const service = await serve({ kind: "status", status: 204 });

    const verdict = await checkHealth({ url: `${service.origin}/health`, timeoutMs: 2000 });

    expect(verdict).toEqual({ healthy: true, status: 204, attempts: 1 });
    expect(service.requests).toEqual(["/health"]);
  });

  it("asks again until the service is healthy, within the timeout", async () => {
    const service = await serve({ kind: "status", status: 503 });
    setTimeout(() => (service.mode = { kind: "status", status: 200 }), 100);

    const verdict = await checkHealth({ url: `${service.origin}/health`, timeoutMs: 5000 });

    expect(verdict).toMatchObject({ healthy: true, status: 200 });
    expect(service.requests.length).toBeGreaterThan(1);
  });

  it("is unhealthy with the last status when no 2xx came in time", async () => {
    const service = await serve({ kind: "status", status: 500 });

    const verdict = await checkHealth({ url: `${service.origin}/health`, timeoutMs: 1000 });

    expect(verdict).toMatchObject({ healthy: false });
    expect(verdict.attempts).toBeGreaterThan(1);
    expect(verdict.attempts).toBe(service.requests.length);
    if (!verdict.healthy)
      expect(verdict.reason).toBe(`HTTP 500 after ${verdict.attempts} attempts`);
  });

  it("gives up on a service that never answers once the timeout passed", async () => {
    const service = await serve({ kind: "hang" });

    const verdict = await checkHealth({ url: `${service.origin}/health`, timeoutMs: 1000 });

    expect(verdict).toEqual({
      healthy: false,
      reason: "no answer within 1 s (1 attempt)",
      attempts: 1,
    });
  });

  it("follows a redirect on the same host", async () => {
    const service = await serve({ kind: "redirect", location: "/ready" });

    const verdict = await checkHealth({ url: `${service.origin}/health`, timeoutMs: 2000 });

    expect(verdict).toEqual({ healthy: true, status: 200, attempts: 1 });
    expect(service.requests).toEqual(["/health", "/ready"]);
  });

  it("does not follow a redirect to another host, nor ask again", async () => {
    const elsewhere = await serve({ kind: "status", status: 200 });
    const service = await serve({ kind: "redirect", location: `${elsewhere.origin}/health` });

    const verdict = await checkHealth({ url: `${service.origin}/health`, timeoutMs: 2000 });

    expect(verdict).toEqual({
      healthy: false,
      reason: `redirected to another host (${elsewhere.origin})`,
      attempts: 1,
    });
    expect(elsewhere.requests).toEqual([]);
  });

  it("does not read an endless body", async () => {
    const service = await serve({ kind: "endless-body" });

    const verdict = await checkHealth({ url: `${service.origin}/health`, timeoutMs: 2000 });

    expect(verdict).toEqual({ healthy: true, status: 200, attempts: 1 });
  });

  it("says the connection was refused when nothing listens", async () => {
    const service = await serve({ kind: "status", status: 200 });
    const url = `${service.origin}/health`;
    await service.close();
    servers.pop();

    const verdict = await checkHealth({ url, timeoutMs: 600 });

    expect(verdict).toMatchObject({ healthy: false });
    if (!verdict.healthy) expect(verdict.reason).toMatch(/^connection refused \(\d+ attempts?\)$/);
  });
});
