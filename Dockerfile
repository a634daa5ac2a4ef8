# supportdesk in a container: a build stage with the Rust toolchain, then a runtime stage with the
# binary alone. SQLite, libpq and OpenSSL are compiled into the binary (bundled/vendored), so the
# runtime image needs nothing but libc and CA certificates.
#
#   docker build -t supportdesk .
#   docker run -p 8080:8080 -v supportdesk-data:/data supportdesk
#
# RUST_VERSION is Cargo.toml's `rust-version`: the oldest toolchain the locked dependencies build
# with; scripts/check-dockerfile.sh (run by CI) fails when the two differ. Both stages are on the
# same Debian release, so the binary runs on the glibc it was linked against.
ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
# openssl-src runs OpenSSL's perl Configure and make; the slim image has only gcc and libc6-dev.
# Package versions are left to the Debian release pinned above: apt keeps only the newest.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends make perl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# 1. The dependencies alone, in a layer that is rebuilt only when Cargo.toml or Cargo.lock change:
#    a source change does not rebuild OpenSSL, libpq and SQLite. Stub targets stand in for the
#    crate; `cargo clean -p supportdesk` then removes everything built from them, so the build
#    below cannot take a stub artifact for up to date (the copied sources keep their own
#    modification times, which may be older than it). Cargo.toml declares only the lib and the
#    bin; a [[test]] or [[bench]] target declared there would need its stub file here too.
COPY Cargo.toml Cargo.lock ./
# How the bundled SQLite is compiled (LIBSQLITE3_FLAGS): a dependency's build setting.
COPY .cargo .cargo
RUN mkdir src \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && cargo build --release --locked \
 && cargo clean --release -p supportdesk \
 && rm -r src

# 2. The crate itself. build.rs and the migrations belong to it, not to a dependency: diesel's
#    embed_migrations! compiles migrations/ into the binary, so a new migration rebuilds this
#    layer only.
COPY build.rs ./
COPY migrations migrations
COPY src src
RUN cargo build --release --locked


FROM debian:${DEBIAN_RELEASE}-slim
# CA certificates for TLS to PostgreSQL (`?sslmode=verify-full&sslrootcert=system`). The OpenSSL
# compiled into the binary looks under its own prefix (/usr/local/ssl) by default, so
# SSL_CERT_FILE and SSL_CERT_DIR point it at Debian's bundle.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_DIR=/etc/ssl/certs

# Not root: a user with a fixed id (for volume ownership and Kubernetes' runAsNonRoot), owning
# /data, where the SQLite database lives. /data is created before VOLUME, so a new named volume
# starts with this owner; a bind mount keeps the host directory's owner (chown it to 10001).
RUN groupadd --gid 10001 supportdesk \
 && useradd --no-log-init --uid 10001 --gid 10001 --no-create-home --home-dir /data \
      --shell /usr/sbin/nologin supportdesk \
 && install -d -o 10001 -g 10001 -m 0750 /data
COPY --from=build /src/target/release/supportdesk /usr/local/bin/supportdesk
USER 10001:10001
WORKDIR /data
ENV BIND_ADDR=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///data/supportdesk.db
EXPOSE 8080
VOLUME ["/data"]

# Liveness: GET /health on the port of BIND_ADDR through bash's /dev/tcp (the image has no curl),
# reading the answer to its end (the server closes: `Connection: close`).
# /health answers while the process runs; /ready (503 while the database is down) is the
# readiness probe for an orchestrator, not a reason to restart: the server reconnects by itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>\"/dev/tcp/127.0.0.1/${BIND_ADDR##*:}\" && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r -t 4 _ status _ <&3 && cat <&3 >/dev/null && [ \"$status\" = 200 ]"]

ENTRYPOINT ["supportdesk"]
CMD ["serve"]
