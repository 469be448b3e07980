//go:build tools

// Package main pins module dependencies until code imports them.
package main

import (
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/invopop/jsonschema"
	_ "github.com/mark3labs/mcp-go/server"
	_ "github.com/mark3labs/mcp-go/client"
	_ "github.com/mark3labs/mcp-go/mcptest"
	_ "github.com/nyaruka/phonenumbers"
	_ "go.uber.org/goleak"
	_ "golang.org/x/time/rate"
)

