# glance on a GPU server: the service with the HTTP playground/API, and the Discord bot (DISCORD_TOKEN) and the
# Slack app (SLACK_BOT_TOKEN + SLACK_APP_TOKEN for Socket Mode; for HTTP mode also publish SLACK_PORT).
# Multi-stage: dependencies (with onnxruntime's CUDA 12 provider and the native better-sqlite3/sharp modules) are
# installed in a Node 20 build stage; the runtime stage is NVIDIA's CUDA 12 + cuDNN 9 runtime with Node copied in.
#   docker build -t glance .
#   docker run --gpus all -p 3000:3000 -v glance-data:/data -e GLANCE_MODEL=Salesforce/blip2-opt-2.7b glance
#   docker run --gpus all -v glance-data:/data --env-file .env glance      # with the chat platforms' tokens in .env
# Give it time to stop: `docker stop` waits 10 s by default, and a graceful shutdown may take the chat adapters' 10 s
# drain plus the engine's 10 s grace — run with `--stop-timeout 30` (compose: `stop_grace_period: 30s`).
# `docker run … glance node bin/glance.js start --demo` runs the tiny demo model glance makes itself (random weights).
# Not built in this project's CI (no Docker there); keep it simple. The production install (npm ci --omit=dev) and
# `glance start` from the copied folders were checked without Docker (see docs/service.md → Docker).

FROM node:20-bookworm AS build
WORKDIR /app
# npm 11 honours package.json "allowScripts" (onnxruntime-node's and better-sqlite3's install scripts).
RUN npm install -g npm@11
COPY package.json package-lock.json ./
# bin/ before npm ci: its `prepare` script (bin/compile-sources.js) runs there, compiling nothing yet.
COPY bin ./bin
# cuda12: onnxruntime-node's install script fetches the CUDA 12 execution provider.
RUN ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci --omit=dev
COPY engine ./engine
COPY src ./src
COPY adapters ./adapters
COPY cli ./cli
COPY bench ./bench
COPY tsconfig.json ./
# The sources compiled into .build/, so `glance` starts without tsx (docs/startup.md).
RUN npm run prepare

FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04 AS runtime
# Node 20 from the build stage (the official binary needs only glibc, which Ubuntu 24.04 has a newer one of).
COPY --from=build /usr/local/bin/node /usr/local/bin/node
RUN groupadd --system --gid 10001 glance \
 && useradd --system --uid 10001 --gid glance --home-dir /app --shell /usr/sbin/nologin glance \
 && mkdir -p /data && chown glance:glance /data
WORKDIR /app
COPY --from=build --chown=root:root /app ./
ENV NODE_ENV=production \
    GLANCE_DATA_DIR=/data \
    GLANCE_HTTP_HOST=0.0.0.0 \
    GLANCE_HTTP_PORT=3000 \
    GLANCE_PROVIDER=auto
# Models (downloaded and converted once) and the settings database live here.
VOLUME ["/data"]
USER glance
EXPOSE 3000
# /healthz answers once the model is ready; the first start downloads (≈ 15 GB for blip2-opt-2.7b) and converts it,
# so failures in the first hour do not count.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60m --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.GLANCE_HTTP_PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "bin/glance.js", "start"]
