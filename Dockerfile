# syntax=docker/dockerfile:1
# One image for the whole stack (docker-compose.yml builds it once; migrate runs it too).
# Build: compile TypeScript and generate the Prisma client with dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Runtime: production dependencies only, non-root, no compiler, no dev tools.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=4001
# Memory (docs/operations.md, "Memory"; bench/README.md has the measurements): V8's old
# generation capped at 192 MB (the live heap is about 40 MB; without a cap V8 lets garbage
# pile up to ~170 MB under load before collecting) and two malloc arenas instead of one per
# thread (glibc's default fragments ~20-60 MB). Override NODE_OPTIONS for a larger live set.
ENV NODE_OPTIONS=--max-old-space-size=192 MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only (154 MB, not 400): the embedded PostgreSQL is a dev dependency
# (the image always runs against DATABASE_URL), and --omit=optional also leaves out the Prisma
# CLI and TypeScript, optional peers of @prisma/client that npm would otherwise install.
# No install scripts: nothing here needs one.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY prisma/migrations ./prisma/migrations
USER node
EXPOSE 4001
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4001)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
