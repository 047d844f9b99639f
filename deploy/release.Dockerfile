# syntax=docker/dockerfile:1
#
# The release image, built by GoReleaser (deploy/goreleaser.yaml,
# dockers_v2) from the binaries of the release: the build context holds
# each platform's binary at $TARGETPLATFORM/clerkguard. It is the runtime
# stage of deploy/Dockerfile (which builds from source) and behaves the
# same: see that file for the reasons behind each line.
FROM debian:bookworm-slim
ARG TARGETPLATFORM

RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY $TARGETPLATFORM/clerkguard /usr/local/bin/clerkguard

RUN groupadd --system --gid 65532 clerkguard \
 && useradd --system --uid 65532 --gid 65532 --home-dir /data --no-create-home --shell /usr/sbin/nologin clerkguard \
 && mkdir -p /data && chown 65532:65532 /data && chmod 0700 /data
USER 65532:65532
WORKDIR /data
VOLUME /data

ENV CLERKGUARD_LISTEN=:8080 \
    CLERKGUARD_DATABASE_URL=sqlite:///data/clerkguard.db \
    MALLOC_ARENA_MAX=2
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["/usr/local/bin/clerkguard"]
CMD ["serve"]
