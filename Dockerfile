# Build: the database client libraries (SQLite, libpq, OpenSSL) are compiled into the binary,
# so the runtime image needs nothing but libc.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN useradd --system --create-home --home-dir /data supportdesk
COPY --from=build /src/target/release/supportdesk /usr/local/bin/supportdesk
USER supportdesk
WORKDIR /data
ENV BIND_ADDR=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///data/supportdesk.db
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["supportdesk"]
CMD ["serve"]
