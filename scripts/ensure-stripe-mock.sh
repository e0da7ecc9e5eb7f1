#!/usr/bin/env bash
# Builds stripe-mock (Stripe's API mock, used by the stripe provider's contract tests)
# into .cache/bin once, with Go from the module proxy. Pinned for repeatable runs.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=v0.203.0
[ -x .cache/bin/stripe-mock ] && exit 0
GO=$(command -v go || echo /usr/local/go/bin/go)
if [ ! -x "$GO" ]; then
  echo "stripe-mock is missing and Go is not installed: the stripe contract tests will fail." >&2
  exit 0
fi
echo "building stripe-mock $VERSION into .cache/bin (once)"
GOBIN="$PWD/.cache/bin" "$GO" install "github.com/stripe/stripe-mock@$VERSION"
