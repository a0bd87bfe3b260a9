package ion

import (
	"encoding/json"
	"slices"
)

// Marshal encodes a request body as encoding/json does, byte for byte,
// without its reflection for the values bodies are made of: the objects
// Body builds (map[string]any, keys in sorted order), strings, booleans,
// nil and json.RawMessage values taken from the server's answer (the
// stateHandle, ids). Any other value, and any string or raw value that
// encoding/json would escape or reformat, is encoded by encoding/json
// itself, so the result (and any error) is the same.
func Marshal(body map[string]any) ([]byte, error) {
	return appendValue(make([]byte, 0, 256), body)
}

func appendValue(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		if v {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case string:
		return appendString(dst, v)
	case json.RawMessage:
		// encoding/json compacts a raw value and escapes HTML characters
		// in it; a value of only plain characters is left as is.
		if v != nil && plainRaw(v) && json.Valid(v) {
			return append(dst, v...), nil
		}
	case map[string]any:
		if v != nil {
			return appendObject(dst, v)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

func appendString(dst []byte, s string) ([]byte, error) {
	if !plainString(s) {
		b, err := json.Marshal(s)
		return append(dst, b...), err
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"'), nil
}

func appendObject(dst []byte, m map[string]any) ([]byte, error) {
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	var err error
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = appendString(dst, k); err != nil {
			return nil, err
		}
		dst = append(dst, ':')
		if dst, err = appendValue(dst, m[k]); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// plainString reports whether encoding/json writes s between quotes
// unchanged: printable ASCII without a quote, backslash or HTML character
// (<, >, &), which it escapes.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < ' ' || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// plainRaw reports whether encoding/json copies the (valid) raw value b
// unchanged: printable ASCII without spaces, which compacting may remove,
// or HTML characters, which it escapes.
func plainRaw(b []byte) bool {
	for _, c := range b {
		switch {
		case c <= ' ' || c >= 0x7f, c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
