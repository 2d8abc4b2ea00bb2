# syntax=docker/dockerfile:1
# Build stage: install with the native better-sqlite3 build, compile TypeScript.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY shared ./shared
COPY server ./server
COPY client ./client
COPY bin ./bin
COPY drizzle ./drizzle
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled JS, production node_modules, migrations; runs as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    SWARMTASK_USE_DIST=1 \
    SWARMTASK_HOST=0.0.0.0 \
    SWARMTASK_PORT=8787 \
    SWARMTASK_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/drizzle ./drizzle
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.SWARMTASK_PORT||8787)+'/healthz/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/swarmtask.mjs"]
CMD ["server"]
