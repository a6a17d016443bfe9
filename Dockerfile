# mcp-auth as a container image: the static (musl) binary on distroless
# static, which has CA certificates, /etc/passwd with a `nonroot` user
# (uid 65532) and nothing else: no shell, no package manager.
#
#   docker build -t mcp-auth .
#   docker run --rm mcp-auth check https://mcp.example.com/mcp
#   docker run --rm -v "$PWD:/work:ro" mcp-auth check --from-evidence /work/evidence.json
#
# .github/workflows/container.yml builds it and smoke-tests it on every push.

FROM rust:1-alpine AS build
# musl-dev and gcc: the C parts (ring, mimalloc) built for musl.
RUN apk add --no-cache musl-dev gcc
WORKDIR /src
COPY . .
# The release archives' profile (Cargo.toml [profile.dist]). On Alpine the
# host target is *-unknown-linux-musl, statically linked by default.
RUN cargo build --locked --profile dist --bin mcp-auth \
 && cp target/dist/mcp-auth /mcp-auth \
 && /mcp-auth --version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /mcp-auth /usr/local/bin/mcp-auth
# The token cache (login, check --login --save-login) under the user's home.
ENV MCP_AUTH_HOME=/home/nonroot/.mcp-auth
USER nonroot:nonroot
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/mcp-auth"]
CMD ["--help"]
