// Command k6 is k6 with this project's SSE extension (k6/x/sse) compiled in: what
// `xk6 build --with <sse extension>` would generate. Built by loadtest/build-k6.sh.
package main

import (
	k6cmd "go.k6.io/k6/cmd"

	_ "live-balance/k6-build/sse"
)

func main() {
	k6cmd.Execute()
}
