# syntax=docker/dockerfile:1
# Routex headless server: the engine and the browser dashboard, no GTK
# (CGO_ENABLED=0, no desktop tag), on a distroless base as a non-root user.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t routex .
#   docker run -d -p 127.0.0.1:18080:18080 -v routex:/data --name routex routex
#   docker exec routex cat /data/config.json     # the admin token and access key
#
# Inside the container Routex listens on 0.0.0.0:18080 so that the published
# port reaches it. Its Host guard allows IP-literal hosts when it listens on
# every interface, so http://127.0.0.1:18080/ works; a name other than
# localhost (a reverse proxy's) needs --listen with that name, or a proxy
# that sends Host: localhost. Publish on 127.0.0.1 unless you mean to expose
# the gateway: it holds your provider keys.

ARG GO_VERSION=1.26
ARG NODE_VERSION=20

# --- the dashboard: platform-independent files, built once on the build host
FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-alpine AS dashboard
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund --loglevel=error
COPY locales/ /src/locales/
COPY backend/presets/presets.json /src/backend/presets/
COPY frontend/ ./
RUN npm run build

# --- the binary: cross-compiled on the build host for each target platform
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS server
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
COPY --from=dashboard /src/frontend/dist ./frontend/dist
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/routex . \
 && mkdir -p /out/data

# --- the image: no shell, no package manager; uid 65532 (nonroot)
FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="Routex" \
      org.opencontainers.image.description="Local AI gateway for coding tools (headless server)" \
      org.opencontainers.image.source="https://github.com/routex-app/routex"
COPY --from=server /out/routex /usr/local/bin/routex
# An empty /data owned by nonroot, so a new named volume is writable.
COPY --from=server --chown=65532:65532 /out/data /data
ENV ROUTEX_HOME=/data \
    ROUTEX_LISTEN=0.0.0.0:18080
USER 65532:65532
VOLUME ["/data"]
EXPOSE 18080
# distroless has no curl: the binary probes its own /health over loopback.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/routex", "health"]
ENTRYPOINT ["/usr/local/bin/routex"]
CMD ["serve"]
