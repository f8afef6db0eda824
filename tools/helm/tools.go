//go:build tools

// Package tools pins the helm command so that go mod tidy keeps it and its dependencies.
// scripts/helm builds it with `go build helm.sh/helm/v3/cmd/helm` from this module.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
