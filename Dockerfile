# The CodeBox application image: the pnpm workspace on Node 24, run as the HTTP server (default)
# or as a queue worker (`command: ["packages/worker/src/main.ts"]`). Node runs the TypeScript
# sources directly (type stripping), so the apps need no build step. The languages offered are
# the plugins named in CODEBOX_PLUGINS (default: every built-in one, which the app depends on); a
# third party's plugin folder can be mounted and named there. The language images user code runs
# in are separate: sandbox/build-images.sh builds them from the plugins' own recipes.
ARG NODE_IMAGE=node:24-bookworm-slim
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN npm install --global --no-audit --no-fund pnpm@10.34.8
# The lockfile alone decides what is fetched, so a source change does not refetch dependencies
# (and no package is named here: a new package needs no change to this file).
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
# Not --prod: the language plugins take @codebox/core and effect as peer dependencies, which the
# workspace satisfies through their devDependencies; a --prod install leaves them unresolvable
# ("Cannot find package '@codebox/core' imported from /app/packages/lang-python/src/index.ts").
RUN pnpm install --offline --frozen-lockfile --filter @codebox/server... --filter @codebox/worker...

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app /app
# Task files and job directories; docker-compose.yml mounts volumes over them.
RUN mkdir -p /var/lib/codebox/data /var/lib/codebox/jobs
EXPOSE 8000
ENTRYPOINT ["node"]
CMD ["packages/server/src/main.ts"]
