import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the fake service answers `GET /health`. */
export type HealthMode =
  | { readonly kind: "status"; readonly status: number }
  /** 200 only while one of these commits is the deployed one (see `/deployed/<sha>`). */
  | { readonly kind: "healthy-when"; readonly shas: readonly string[] }
  /** Accepts the request and never answers. */
  | { readonly kind: "hang" }
  /** `/health` redirects there; any other path answers 200. */
  | { readonly kind: "redirect"; readonly location: string }
  /** 200 with a body that never ends. */
  | { readonly kind: "endless-body" };

export interface HealthServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  mode: HealthMode;
  /** Every path asked, in order. */
  readonly requests: string[];
  /** The commit a deploy command announced last with `GET /deployed/<sha>`. */
  readonly deployed: string | undefined;
  close(): Promise<void>;
}

/**
 * A real HTTP service on 127.0.0.1 for health checks: a deploy command can tell it which commit
 * it deployed (`GET /deployed/<sha>`), and `/health` answers as `mode` says.
 */
export async function startHealthServer(mode: HealthMode): Promise<HealthServer> {
  let deployed: string | undefined;
  const requests: string[] = [];
  const state = { mode };
  const answer = (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? "/";
    requests.push(path);
    const announced = /^\/deployed\/([0-9a-f]{40})$/.exec(path);
    if (announced !== null) {
      deployed = announced[1];
      response.writeHead(204).end();
      return;
    }
    const current = state.mode;
    switch (current.kind) {
      case "status":
        response.writeHead(current.status).end("status");
        return;
      case "healthy-when":
        response.writeHead(current.shas.includes(deployed ?? "") ? 200 : 500).end();
        return;
      case "hang":
        return;
      case "redirect":
        if (path === "/health") response.writeHead(302, { location: current.location }).end();
        else response.writeHead(200).end();
        return;
      case "endless-body": {
        response.writeHead(200, { "content-type": "text/plain" });
        const chunk = "x".repeat(64 * 1024);
        const more = () => {
          while (!response.destroyed && response.write(chunk));
          if (!response.destroyed) response.once("drain", more);
        };
        more();
        return;
      }
    }
  };
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  const { port } = address;
  return {
    origin: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(next) {
      state.mode = next;
    },
    requests,
    get deployed() {
      return deployed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
