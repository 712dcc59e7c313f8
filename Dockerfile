# The CodeBox application image: the pnpm workspace on Node 24, run as the HTTP server (default)
# or as a queue worker (`command: ["packages/worker/src/main.ts"]`). Node runs the TypeScript
# sources directly (type stripping), so there is no build step and no dist/ to drift from src/.
# The language images user code runs in are separate: sandbox/build-images.sh builds them.
ARG NODE_IMAGE=node:24-bookworm-slim
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN npm install --global --no-audit --no-fund pnpm@10.34.8
# Manifests first, so a source change does not refetch dependencies.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/core/package.json packages/core/
COPY packages/server/package.json packages/server/
COPY packages/worker/package.json packages/worker/
COPY packages/lang-python/package.json packages/lang-python/
COPY packages/lang-c/package.json packages/lang-c/
COPY packages/lang-javascript/package.json packages/lang-javascript/
COPY packages/lang-php/package.json packages/lang-php/
COPY packages/conformance/package.json packages/conformance/
RUN pnpm install --frozen-lockfile --prod --filter @codebox/server... --filter @codebox/worker...

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app /app
COPY packages/core packages/core
COPY packages/server packages/server
COPY packages/worker packages/worker
COPY packages/lang-python packages/lang-python
COPY packages/lang-c packages/lang-c
COPY packages/lang-javascript packages/lang-javascript
COPY packages/lang-php packages/lang-php
# Task files and job directories; docker-compose.yml mounts volumes over them.
RUN mkdir -p /var/lib/codebox/data /var/lib/codebox/jobs
EXPOSE 8000
ENTRYPOINT ["node"]
CMD ["packages/server/src/main.ts"]
