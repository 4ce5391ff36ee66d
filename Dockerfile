# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds on install (so `npx metastudio-sync` works from a clone), but
# here the sources are copied after the install, and the build runs below.
RUN npm ci --no-fund --no-audit --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build bundles the CLI into dist/bin with this script (tsx and esbuild are dev dependencies).
COPY scripts/bundle-cli.ts ./scripts/
RUN npm run build

# Runtime stage: production dependencies, the compiled output and the migrations only.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
# glibc gives each thread that allocates its own arena (up to 8 per core) and rarely returns their
# memory; two are plenty for Node's few threads and keep RSS from creeping up in a long-lived worker.
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: `prepare` would build, with no compiler and no sources here; dist comes from the build stage.
RUN npm ci --omit=dev --no-fund --no-audit --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# The embedded database (used only when DATABASE_URL is unset) lives here; the image's user owns it.
RUN mkdir -p /app/.metastudio-sync && chown node:node /app/.metastudio-sync
USER node
EXPOSE 9464
# The same heap bounds as the CLI's shebang (src/cli/main.ts), which `node file` ignores.
ENTRYPOINT ["node", "--expose-gc", "--max-semi-space-size=8", "--max-old-space-size=1024", "--initial-old-space-size=40", "dist/bin/metastudio-sync.js"]
CMD ["worker"]
