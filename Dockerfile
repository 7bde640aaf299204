# syntax=docker/dockerfile:1

# Build: compile TypeScript, then keep only the production dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 ships prebuilt binaries; the toolchain is the fallback when none matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Run: Node for the app, Python 3 with venv and pip for the local runner's jobs.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      python3 python3-venv python3-pip python3-dev build-essential \
      git tar gzip ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    PYLOT_DATABASE_URL=sqlite:/var/lib/pylot/pylot.db \
    PYLOT_WORKDIR=/var/lib/pylot/work
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
RUN mkdir -p /var/lib/pylot/work && chown -R node:node /var/lib/pylot
# Jobs run as this user too: never root, and without the app's secrets in their environment.
USER node
VOLUME ["/var/lib/pylot"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini reaps the job processes the runner starts and forwards SIGTERM for a clean stop.
ENTRYPOINT ["tini", "--"]
CMD ["node", "node_modules/probot/bin/probot.js", "run", "./dist/index.js"]
