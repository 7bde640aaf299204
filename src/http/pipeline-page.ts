import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { PipelineView, Store } from "../engine/ports.js";
import { visibleRepository } from "./access.js";
import { PAGE_HEADERS, renderJobPage, renderPipelinePage } from "./pipeline-render.js";
import { parsePageUrl, pipelineLinks, type PageRequest } from "./pipeline-url.js";
import { NO_CACHE, readRoute, sendText, type HttpHandler } from "./respond.js";

export type PageStore = Pick<Store, "getPipeline" | "listJobs" | "getRepository">;

export interface PipelinePageOptions {
  readonly store: PageStore;
  /** `PYLOT_BADGE_SECRET`: the `logs` tokens of private repositories. */
  readonly secret: string | undefined;
  /** `PYLOT_PUBLIC_URL`, for the links between pages. */
  readonly publicUrl: string | undefined;
  readonly logger: Logger;
}

/**
 * A pipeline of a public repository is open to all; one of a private repository needs its
 * `logs` token. Anything else (a CLI pipeline, an unknown repository, a bad token) is the
 * same 404, so a page URL tells nothing about which private pipelines exist.
 */
async function visibleView(
  store: PageStore,
  request: PageRequest,
  secret: string | undefined,
): Promise<PipelineView | undefined> {
  const pipeline = await store.getPipeline(request.pipelineId);
  const fullName = pipeline?.trigger.repo;
  if (pipeline === undefined || fullName === undefined) return undefined;
  const { token } = request;
  const repository = await visibleRepository({ store, fullName, secret, kind: "logs", token });
  return repository === undefined
    ? undefined
    : { pipeline, jobs: await store.listJobs(pipeline.id) };
}

function sendPage(req: IncomingMessage, res: ServerResponse, html: string): void {
  res
    .writeHead(200, { ...PAGE_HEADERS, "cache-control": NO_CACHE })
    .end(req.method === "HEAD" ? undefined : html);
}

/** `GET /pipelines/:id` and `GET /pipelines/:id/jobs/:key`: where check runs' Details go. */
export function createPipelinePageHandler(options: PipelinePageOptions): HttpHandler {
  const log = options.logger.child({ name: "pipeline-pages" });
  const link = pipelineLinks({ publicUrl: options.publicUrl, secret: options.secret });
  return readRoute({
    parse: parsePageUrl,
    invalid: "Invalid pipeline URL",
    log,
    async answer(req, res, request) {
      const view = await visibleView(options.store, request, options.secret);
      const job =
        request.kind === "job" ? view?.jobs.find((j) => j.spec.key === request.key) : undefined;
      if (view === undefined || (request.kind === "job" && job === undefined)) {
        sendText(req, res, 404, "Not Found\n");
        return;
      }
      sendPage(
        req,
        res,
        job === undefined ? renderPipelinePage(view, link) : renderJobPage(view, job, link),
      );
    },
  });
}
