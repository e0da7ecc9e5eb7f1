#!/usr/bin/env bash
# Builds k6 (go.k6.io/k6, version pinned in loadtest/k6-build/go.mod + go.sum) with this
# project's SSE extension k6/x/sse (loadtest/k6-build/sse) into .cache/bin/k6, and
# reuses that binary while loadtest/k6-build is unchanged. Needs Go >= 1.25 and the Go
# module proxy; a first build takes ~2-4 min on 2 cores. Prints the binary's path.
#
# Why not `xk6 build --with github.com/phymbert/xk6-sse`: neither xk6 nor xk6-sse is
# served by the module proxy we can reach; loadtest/k6-build/main.go is the main
# package xk6 would generate, and sse/ says why it is our own extension.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/bin/k6
src=loadtest/k6-build
stamp=$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go "$src"/sse/*.go | sha256sum | cut -c1-16)
if [[ -x $out && "$(cat "$out.stamp" 2>/dev/null)" == "$stamp" ]]; then
  echo "$out"
  exit 0
fi
go=$(command -v go || echo /usr/local/go/bin/go)
[[ -x $go ]] || { echo "build-k6: Go >= 1.25 is needed (not found on PATH nor at /usr/local/go/bin/go)" >&2; exit 1; }
echo "build-k6: building k6 with k6/x/sse (first time: a few minutes)..." >&2
started=$SECONDS
(cd "$src" && "$go" build -trimpath -o "../../$out" .)
echo "$stamp" > "$out.stamp"
echo "build-k6: built $out in $((SECONDS - started)) s" >&2
echo "$out"
