// args_lenient.go: the arguments as models send them, made what the
// tool's schema says before the strict decode, where that is harmless: a
// number or a boolean sent as a string ("5", "true"), one string where an
// array is expected ("user" for ["user"]), and the window arguments
// resolved (args_window.go). Everything else goes to the strict decode
// unchanged, to be refused there with today's sentence.

package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// argShape is what the normalisation knows of a tool's arguments, read
// once from its input schema.
type argShape struct {
	props map[string]argProp
	// window: the tool takes createdAfter or createdBefore; zoned: it
	// takes a timezone argument, which then decides what a date means.
	window, zoned bool
	// fixed reads the window a page token fixed; nil: no pageToken.
	fixed func(token string) (after, before time.Time, ok bool)
}

// argProp is one argument: its JSON type ("integer", "boolean", "array",
// "string"...), an array's item type, and a good value for an error.
type argProp struct {
	typ, items string
	example    string
}

// shapeOf reads the shape of the arguments from schema; in is a value of
// the arguments' type, which may know how its page tokens fix a window.
func shapeOf(schema json.RawMessage, in any) argShape {
	var s struct {
		Properties map[string]struct {
			Type    string          `json:"type"`
			Default json.RawMessage `json:"default"`
			Minimum json.RawMessage `json:"minimum"`
			Items   struct {
				Type string `json:"type"`
			} `json:"items"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema, &s); err != nil {
		panic(fmt.Sprintf("the schema of %T: %v", in, err)) // a programming error, caught by tests
	}
	sh := argShape{props: make(map[string]argProp, len(s.Properties))}
	for name, p := range s.Properties {
		ex := string(p.Default)
		if ex == "" {
			ex = string(p.Minimum)
		}
		sh.props[name] = argProp{typ: p.Type, items: p.Items.Type, example: ex}
	}
	_, a := sh.props["createdAfter"]
	_, b := sh.props["createdBefore"]
	_, sh.zoned = sh.props["timezone"]
	sh.window = a || b
	if _, ok := sh.props["pageToken"]; ok {
		sh.fixed = cursorWindow
		if tw, ok := in.(tokenWindower); ok {
			sh.fixed = tw.tokenWindow
		}
	}
	return sh
}

// member is one name and value of an arguments object, in its order.
type member struct {
	name string
	prop string // the argument it sets ("" for none): encoding/json matches names case-insensitively
	val  json.RawMessage
}

// normalize returns raw with the lenient shapes made strict and the window
// resolved at now in loc (or in the timezone argument's zone). raw that is
// not a JSON object, and an object that needs nothing, come back as they
// are. A window argument that is none of its forms is an *argError; a
// string that is not a number for a number argument, another error.
func (sh *argShape) normalize(raw json.RawMessage, now time.Time, loc *time.Location) (json.RawMessage, error) {
	members, ok := sh.members(raw)
	if !ok {
		return raw, nil
	}
	changed := false
	for i := range members {
		m := &members[i]
		v, err := sh.props[m.prop].coerce(m.prop, m.val)
		if err != nil {
			return nil, err
		}
		if v != nil {
			m.val, changed = v, true
		}
	}
	if sh.window {
		c, err := sh.resolveWindow(members, now, loc)
		if err != nil {
			return nil, err
		}
		changed = changed || c
	}
	if !changed {
		return raw, nil
	}
	return joinMembers(members), nil
}

// members splits a JSON object into its members; ok is false for anything
// else, and for a syntax error, which the strict decode words.
func (sh *argShape) members(raw json.RawMessage) ([]member, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		name, isName := t.(string)
		if err != nil || !isName {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, member{name: name, prop: sh.propName(name), val: v})
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, false // cut short: the strict decode says so
	}
	return out, true
}

// propName is the argument that name sets, as encoding/json matches it:
// exactly, else regardless of case.
func (sh *argShape) propName(name string) string {
	if _, ok := sh.props[name]; ok {
		return name
	}
	for p := range sh.props {
		if strings.EqualFold(p, name) {
			return p
		}
	}
	return ""
}

// coerce returns the strict form of v for the argument p, or nil when v
// needs none (or has no lenient reading, left to the strict decode).
func (p argProp) coerce(name string, v json.RawMessage) (json.RawMessage, error) {
	if len(v) == 0 || v[0] != '"' {
		return nil, nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return nil, nil
	}
	switch {
	case p.typ == "integer":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			ex := p.example
			if ex == "" {
				ex = "1"
			}
			return nil, fmt.Errorf("argument %s must be an integer, such as %s, not %q", name, ex, echo(s))
		}
		return strconv.AppendInt(nil, n, 10), nil
	case p.typ == "boolean":
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return json.RawMessage("true"), nil
		case "false":
			return json.RawMessage("false"), nil
		}
	case p.typ == "array" && (p.items == "string" || p.items == ""):
		return append(append(json.RawMessage("["), v...), ']'), nil
	}
	return nil, nil
}

// resolveWindow resolves the window arguments among members in place;
// changed says whether any value changed.
func (sh *argShape) resolveWindow(members []member, now time.Time, loc *time.Location) (changed bool, err error) {
	str := func(prop string) (string, int, bool) {
		for i := len(members) - 1; i >= 0; i-- { // the last one counts, as in the decode
			if members[i].prop == prop {
				var s string
				err := json.Unmarshal(members[i].val, &s)
				return s, i, err == nil
			}
		}
		return "", -1, false
	}
	if sh.zoned {
		if tz, i, ok := str("timezone"); i >= 0 {
			if !ok {
				return false, nil // not a string: the decode says so
			}
			if loc, err = parseZone(tz, loc); err != nil {
				return false, nil // the tool says what is wrong with it first
			}
		}
	}
	sides := map[string]*windowArg{}
	at := map[string]int{}
	for _, arg := range []string{"createdAfter", "createdBefore"} {
		raw, i, ok := str(arg)
		if !ok {
			continue
		}
		w, err := resolveWindowArg(arg, raw, now, loc)
		if err != nil {
			return false, err
		}
		sides[arg], at[arg] = &w, i
	}
	if tok, _, ok := str("pageToken"); ok && tok != "" && sh.fixed != nil {
		settleWindow(sides, sh.fixed, tok, now, loc)
	}
	for arg, w := range sides {
		v, _ := json.Marshal(w.value)
		if i := at[arg]; !bytes.Equal(v, members[i].val) {
			members[i].val, changed = v, true
		}
	}
	return changed, nil
}
