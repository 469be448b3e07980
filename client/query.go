// Query strings. Every params struct declares its query parameters in `url`
// struct tags and encodeQuery turns it into url.Values, so that every list
// method names, repeats, escapes and formats its parameters the same way.

package client

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// encodeQuery encodes params, a struct (or a pointer to one) whose exported
// fields all carry a url tag:
//
//	url:"name"             always sent
//	url:"name,omitempty"   left out when zero ("", 0, false, a zero time)
//	url:"name,default=10"  an int sent as 10 when zero
//	url:"name[in],comma"   a []string sent once, its items joined by ","
//	                       (the dated API's lists: status[in]=missed,no-answer)
//	url:"-"                never sent
//
// Field types are string, int, bool, time.Time (RFC 3339 in UTC, with the
// fractional seconds it has), []string (the key repeats once per item, in
// order; with comma, one key for all; none when empty) and a pointer to one
// of these: nil is left out, anything else is sent even when zero, which is
// how a false *bool reaches the API.
//
// An untagged field or an unsupported type panics: params structs are this
// package's own, and the tests encode each of them.
//
// The result goes out through url.Values.Encode: keys sorted, values
// query-escaped, so the "+" of an E.164 number travels as %2B (a bare "+"
// would reach the API as a space).
func encodeQuery(params any) url.Values {
	v := reflect.ValueOf(params)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		panic(fmt.Sprintf("client: encodeQuery of %T, want a params struct", params))
	}
	t := v.Type()
	q := url.Values{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, ok := f.Tag.Lookup("url")
		if !ok {
			panic(fmt.Sprintf("client: %s.%s has no url tag", t.Name(), f.Name))
		}
		if tag == "-" {
			continue
		}
		name, omitEmpty, def, comma := parseQueryTag(tag)
		if comma && f.Type != reflect.TypeFor[[]string]() {
			panic(fmt.Sprintf("client: %s.%s: the comma option is for a []string", t.Name(), f.Name))
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				continue
			}
			fv, omitEmpty = fv.Elem(), false
		}
		if omitEmpty && fv.IsZero() {
			continue
		}
		switch x := fv.Interface().(type) {
		case string:
			q.Set(name, x)
		case int:
			if x == 0 && def != "" {
				q.Set(name, def)
			} else {
				q.Set(name, strconv.Itoa(x))
			}
		case bool:
			q.Set(name, strconv.FormatBool(x))
		case time.Time:
			q.Set(name, x.UTC().Format(time.RFC3339Nano))
		case []string:
			if comma {
				if len(x) > 0 {
					q.Set(name, strings.Join(x, ","))
				}
				break
			}
			for _, s := range x {
				q.Add(name, s)
			}
		default:
			panic(fmt.Sprintf("client: %s.%s: encodeQuery cannot send a %s", t.Name(), f.Name, fv.Type()))
		}
	}
	return q
}

// parseQueryTag splits a url tag into the parameter name and its options.
func parseQueryTag(tag string) (name string, omitEmpty bool, def string, comma bool) {
	name, opts, _ := strings.Cut(tag, ",")
	for opt := range strings.SplitSeq(opts, ",") {
		switch {
		case opt == "omitempty":
			omitEmpty = true
		case opt == "comma":
			comma = true
		case strings.HasPrefix(opt, "default="):
			def = strings.TrimPrefix(opt, "default=")
		case opt != "":
			panic(fmt.Sprintf("client: url tag %q: unknown option %q", tag, opt))
		}
	}
	return name, omitEmpty, def, comma
}
