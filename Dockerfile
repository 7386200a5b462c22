# octopus-edge, self-hosted Node mode: `docker compose up -d`, or
#   docker build -t octopus-edge . && docker run -p 8080:8080 -v octopus-data:/app/data octopus-edge
# Data (config.json, secrets.json, the SQLite file) lives in the /app/data volume.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# npm 11 honours the `allowScripts` list in package.json (which install scripts may run).
RUN npm install -g npm@11
COPY package.json package-lock.json .npmrc ./
COPY dashboard/package.json dashboard/
RUN npm ci
COPY . .
# The dashboard (SvelteKit, static SPA) and the server bundle (dist/node/server.mjs).
RUN npm run build --workspace dashboard && npm run build:node
# Only what the bundle leaves external is needed at run time: the database drivers.
RUN npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/node ./dist/node
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/dashboard/build ./dashboard/build
# Owner-only: config, secrets.json and the SQLite files (a new named volume copies this mode).
RUN mkdir -p /app/data && chown node:node /app/data && chmod 700 /app/data
USER node
VOLUME /app/data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# SIGTERM (docker stop) drains requests for up to 30 s and flushes stats: give it that long.
STOPSIGNAL SIGTERM
CMD ["node", "dist/node/server.mjs"]
