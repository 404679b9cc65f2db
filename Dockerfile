# podimport's container image: the static binary and nothing else.
#
# Build it with `make image` (scripts/build-image.sh): the binary is built on
# the host (CGO_ENABLED=0) and copied in with the host's CA certificates, a
# minimal /etc/passwd and /etc/group, and empty /data and /tmp. There are no
# RUN steps, so building needs no base image to pull and no container
# runtime; podman or docker both work. The build context is the folder the
# script prepares:
#
#   podimport            the binary
#   ca-certificates.crt  from /etc/ssl/certs
#   passwd, group        root and nonroot (65532)
#   data/, tmp/          empty
#
# Run it as a memri pod would (see the README): the job comes from the
# environment, the store is the /data volume.
FROM scratch

COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY passwd /etc/passwd
COPY group /etc/group
COPY --chmod=1777 tmp/ /tmp/
COPY --chown=65532:65532 --chmod=0700 data/ /data/
COPY --chmod=0755 podimport /podimport

ENV PODIMPORT_STORE=/data \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    HOME=/tmp \
    TMPDIR=/tmp

USER 65532:65532
WORKDIR /data
VOLUME ["/data"]

LABEL org.opencontainers.image.title="podimport" \
      org.opencontainers.image.description="Imports your own social data into a local graph store; run by a host pod (pod-run)" \
      org.opencontainers.image.source="https://github.com/podimport/podimport"

ENTRYPOINT ["/podimport"]
CMD ["pod-run"]
