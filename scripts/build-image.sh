#!/usr/bin/env bash
# Builds podimport's container image from the Dockerfile: a static binary
# built here and copied into a FROM scratch image with CA certificates, a
# minimal /etc/passwd and the /data volume. Nothing is pulled.
#
#   scripts/build-image.sh                      # podman, tag podimport:latest
#   IMAGE=podimport:dev CONTAINER=docker scripts/build-image.sh
#
# Environment:
#   IMAGE            the tag (default podimport:latest)
#   CONTAINER        the container tool (default: podman, else docker)
#   CONTAINER_FLAGS  global flags for it, e.g. "--root DIR --runroot DIR --storage-driver vfs"
#   GOARCH           the image's architecture (default: go env GOARCH)
#   VERSION          stamped into the image label (default: git describe)
#   CA_CERTS         CA bundle to copy in (default /etc/ssl/certs/ca-certificates.crt)
#   BINARY           a static linux binary to use instead of building one (tests)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
IMAGE="${IMAGE:-podimport:latest}"
if [[ -z "${CONTAINER:-}" ]]; then
	if command -v podman >/dev/null; then CONTAINER=podman; else CONTAINER=docker; fi
fi
GO="${GO:-go}"
GOARCH="${GOARCH:-$("$GO" env GOARCH)}"
CA_CERTS="${CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
VERSION="${VERSION:-$(git -C "$root" describe --always --dirty 2>/dev/null || echo dev)}"
read -r -a flags <<<"${CONTAINER_FLAGS:-}"

if [[ ! -r "$CA_CERTS" ]]; then
	echo "build-image: no CA bundle at $CA_CERTS (install ca-certificates or set CA_CERTS)" >&2
	exit 1
fi

ctx="$(mktemp -d "${TMPDIR:-/tmp}/podimport-image.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT

if [[ -n "${BINARY:-}" ]]; then
	cp "$BINARY" "$ctx/podimport"
else
	echo "build-image: building the binary (linux/$GOARCH)" >&2
	(cd "$root" && CGO_ENABLED=0 GOOS=linux GOARCH="$GOARCH" "$GO" build -trimpath -ldflags='-s -w' -o "$ctx/podimport" ./cmd/podimport)
fi
cp "$CA_CERTS" "$ctx/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' >"$ctx/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$ctx/group"
mkdir "$ctx/data" "$ctx/tmp"

echo "build-image: $CONTAINER build -t $IMAGE" >&2
"$CONTAINER" "${flags[@]}" build --platform "linux/$GOARCH" \
	--label "org.opencontainers.image.version=$VERSION" \
	-f "$root/Dockerfile" -t "$IMAGE" "$ctx"
