package twitter

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stripByDecoding is the obvious, slow way: decode, replace, compare.
func stripByDecoding(t *testing.T, raw []byte, ids map[string]string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for k, id := range ids {
		if _, ok := m[k].(map[string]any); ok {
			m[k] = map[string]any{"id_str": id}
		}
	}
	return m
}

func TestStripEmbeddedAgreesWithDecoding(t *testing.T) {
	n := 0
	for _, file := range []string{"testusertimeline.json", "testcursornext.json", "testhometimeline.json", "testidcursoritems.json"} {
		for _, ex := range fixture(t, file) {
			var tweets []json.RawMessage
			if err := json.Unmarshal(ex.Body, &tweets); err != nil {
				t.Fatal(err)
			}
			for _, raw := range tweets {
				ids := map[string]string{"user": "1", "retweeted_status": "2", "quoted_status": "3"}
				var got any
				if err := json.Unmarshal(stripEmbedded(raw, ids), &got); err != nil {
					t.Fatalf("%s: stripped JSON does not parse: %v", file, err)
				}
				if d := cmp.Diff(stripByDecoding(t, raw, ids), got); d != "" {
					t.Fatalf("%s: (-decoding +scanning)\n%s", file, d)
				}
				n++
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d tweets compared", n)
	}
}

func TestStripEmbeddedEdgeCases(t *testing.T) {
	ids := map[string]string{"user": "7"}
	cases := map[string]string{
		`{"user":{"a":"}{\"x"},"text":"he said \"{\" ok"}`: `{"user":{"id_str":"7"},"text":"he said \"{\" ok"}`,
		"{ \"n\" : 1 ,\n \"user\" : { \"b\" : [1,{}] } }":  `{"n":1,"user":{"id_str":"7"}}`,
		`{"user":null,"x":[{"user":{"deep":1}}]}`:          `{"user":null,"x":[{"user":{"deep":1}}]}`,
		`{}`: `{}`,
	}
	for in, want := range cases {
		if got := string(stripEmbedded(json.RawMessage(in), ids)); got != want {
			t.Errorf("stripEmbedded(%s) = %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{`[1]`, `{"user":{"a":1}`, `{"user"`, `{"a":"unterminated}`, ``} {
		if got := string(stripEmbedded(json.RawMessage(bad), ids)); got != bad {
			t.Errorf("stripEmbedded(%q) = %q; malformed input should come back unchanged", bad, got)
		}
	}
}
