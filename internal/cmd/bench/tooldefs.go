package main

// Tool definitions figure: the bytes of the tools/list result, the context
// every conversation pays, per tool and per field.

import (
	"encoding/json"
	"fmt"
	"strings"
)

// toolList measures the tools/list result: the context every conversation
// pays for the tool definitions.
func (b *bench) toolList() error {
	names, size, perTool, err := b.listTools()
	if err != nil {
		return err
	}
	f := b.fig("tool definitions (tools/list result JSON)", "bytes", "< 8192", 0, below(8192))
	f.Runs = []float64{float64(size)}
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %d", n, perTool[n]))
	}
	f.Note = fmt.Sprintf("%d tools: %s; of which name+description+inputSchema (what a model's tool definitions carry) %d, outputSchema %d, annotations %d",
		len(names), strings.Join(parts, ", "), b.toolParts["model"], b.toolParts["outputSchema"], b.toolParts["annotations"])
	return nil
}

func (b *bench) listTools() (names []string, size int, perTool map[string]int, err error) {
	p, err := startStdio(b.bin, demoArgs, serverEnv())
	if err != nil {
		return nil, 0, nil, err
	}
	defer p.stop()
	if err := p.initialize(); err != nil {
		return nil, 0, nil, err
	}
	res, err := p.call("tools/list", []byte(`{}`))
	if err != nil {
		return nil, 0, nil, err
	}
	var list struct {
		Tools []json.RawMessage `json:"tools"`
	}
	if err := json.Unmarshal(res, &list); err != nil {
		return nil, 0, nil, err
	}
	perTool = map[string]int{}
	b.toolParts = map[string]int{}
	for _, t := range list.Tools {
		var n struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(t, &n)
		names = append(names, n.Name)
		perTool[n.Name] = len(t)
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(t, &fields)
		for k, v := range fields {
			switch k {
			case "name", "description", "inputSchema":
				b.toolParts["model"] += len(v)
			default:
				b.toolParts[k] += len(v)
			}
		}
	}
	return names, len(res), perTool, nil
}
