package store

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/podimport/podimport/schema"
)

func TestRawJSONIsStoredCompressed(t *testing.T) {
	s := openTest(t, newClock())
	doc := `{"full_text":"` + strings.Repeat("a distinctive sentence that repeats ", 40) + `"}`
	n := schema.Node{ID: "twitter:post:1", Kind: schema.KindPost, Platform: "twitter", Sources: []string{"twitter"},
		Post: &schema.Post{Text: "x", Author: "twitter:account:2", Created: newClock().Now()},
		Raw:  map[string]json.RawMessage{"twitter": json.RawMessage(doc)}}
	mustApply(t, s, 0, schema.Batch{Nodes: []schema.Node{n, schema.Ref("twitter:account:2")}})

	got, err := s.Node(n.ID)
	if err != nil || string(got.Raw["twitter"]) != doc {
		t.Fatalf("raw JSON read back as %.80q, %v", got.Raw["twitter"], err)
	}
	// Applying the same raw JSON again is recognised as no change.
	if a := mustApply(t, s, 0, schema.Batch{Nodes: []schema.Node{n}}); a.Nodes != 0 {
		t.Errorf("unchanged raw JSON rewrote %d nodes", a.Nodes)
	}
	// Committed pages are in the file (the test helper closes the store).
	file, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, []byte(strings.Repeat("a distinctive sentence that repeats ", 3))) {
		t.Error("the raw JSON is in the file uncompressed")
	}
}

func TestDecodeRawReadsPlainAndReportsDamage(t *testing.T) {
	if got, err := decodeRaw([]byte(`{"a":1}`)); err != nil || string(got) != `{"a":1}` {
		t.Errorf("plain value: %s, %v", got, err)
	}
	if got, err := decodeRaw(encodeRaw(json.RawMessage(`[1,2,3]`))); err != nil || string(got) != `[1,2,3]` {
		t.Errorf("round trip: %s, %v", got, err)
	}
	if _, err := decodeRaw([]byte{rawSnappy, 0xff, 0xff, 0xff}); err == nil {
		t.Error("a damaged compressed value decoded without error")
	}
}
