# syntax=docker/dockerfile:1
#
# Atrium images, built from the repository root:
#   target runtime (default)  the server (`main.js api`) and the worker (`main.js worker`)
#   target nginx              nginx with the built chat app (/) and console (/admin/)
# docker-compose.yml builds both.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG NGINX_IMAGE=nginx:1.27-alpine

# ---- build: install everything, build server, web and admin -----------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Toolchain for native modules (bcrypt, sharp) in case no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Manifests first so the dependency layer is cached until they change.
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY web/package.json web/
COPY admin/package.json admin/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- prod-deps: the server's production dependencies only -------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY web/package.json web/
COPY admin/package.json admin/
RUN npm ci --omit=dev --workspace server --no-audit --no-fund \
 && npm cache clean --force

# ---- nginx: static apps and the proxy config --------------------------------
# The official image renders /etc/nginx/templates/**/*.template into conf.d at
# start (envsubst) and runs /docker-entrypoint.d/ first; see nginx/templates/atrium.conf.template.
FROM ${NGINX_IMAGE} AS nginx
# Defaults for the Compose stack; MAX_UPLOAD_MB comes from .env through docker-compose.yml.
# Only our variables are substituted, never nginx's own $variables.
ENV ATRIUM_UPSTREAM=server:3000 \
    ATRIUM_HTTP_PORT=80 \
    ATRIUM_HTTPS_PORT=443 \
    ATRIUM_STATIC_ROOT=/usr/share/nginx/atrium \
    ATRIUM_CERTS_DIR=/etc/nginx/certs \
    MAX_UPLOAD_MB=50 \
    NGINX_ENVSUBST_FILTER="^(ATRIUM_|MAX_UPLOAD_MB)"
# The image's own default.conf would also listen on port 80.
RUN rm -f /etc/nginx/conf.d/default.conf && mkdir -p /etc/nginx/certs
COPY nginx/templates/ /etc/nginx/templates/
COPY --chmod=755 nginx/docker-entrypoint.d/ /docker-entrypoint.d/
COPY --from=build /app/web/dist /usr/share/nginx/atrium/web
COPY --from=build /app/admin/dist /usr/share/nginx/atrium/admin
EXPOSE 80 443

# ---- runtime: server and worker, as the unprivileged `node` user -------------
FROM ${NODE_IMAGE} AS runtime
# `npm run backup` needs pg_dump/pg_restore of the same major version as the
# postgres service (docker-compose.yml: pgvector/pgvector:pg16); Debian bookworm
# ships 15, so the client comes from the PostgreSQL project's own repository.
ARG PG_MAJOR=16
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    UPLOADS_DIR=/app/uploads
WORKDIR /app
# Same layout as the repository: the server finds prisma/migrations and the
# built apps (web/dist, admin/dist) relative to it, so `npm start` without
# nginx serves everything too. Code stays root-owned and read-only for `node`.
COPY --from=prod-deps /app/node_modules ./node_modules
# (server/node_modules exists only when a version conflict keeps a package out of the root.)
COPY --from=prod-deps /app/server/node_modules* ./server/node_modules/
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/server/package.json ./server/package.json
COPY --from=build /app/server/dist ./server/dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/admin/dist ./admin/dist
# Only the data directories are writable; a named volume mounted on an empty
# directory takes over its ownership.
RUN mkdir -p /app/uploads /app/data /app/backups \
 && chown node:node /app/uploads /app/data /app/backups
USER node
EXPOSE 3000
CMD ["node", "server/dist/main.js", "api"]
