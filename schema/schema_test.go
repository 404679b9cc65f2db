package schema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func i64(v int64) *int64 { return &v }

func TestParseID(t *testing.T) {
	p, k, n, err := ParseID("twitter:link:https://example.com/a:b")
	if err != nil || p != "twitter" || k != KindLink || n != "https://example.com/a:b" {
		t.Fatalf("ParseID = %q %q %q %v", p, k, n, err)
	}
	for _, bad := range []string{"", "twitter", "twitter:post", "twitter:post:", "twitter:bogus:1", ":post:1"} {
		if _, _, _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
}

func TestMergeArchiveNeverErasesAPIFields(t *testing.T) {
	id := ID("twitter", KindPost, "1629012888185610242")
	created := time.Date(2023, 2, 24, 6, 58, 32, 0, time.UTC)
	api := Node{ID: id, Kind: KindPost, Platform: "twitter", Sources: []string{"twitter"},
		Post: &Post{Text: "hi", Created: created, Author: "twitter:account:1", LikeCount: i64(7), Lang: "en"},
		Raw:  map[string]json.RawMessage{"twitter": json.RawMessage(`{"a":1}`)}}
	archive := Node{ID: id, Kind: KindPost, Platform: "twitter", Sources: []string{"twitter-archive"},
		Post: &Post{Text: "hi", Created: created, Author: "twitter:account:1", LikeCount: i64(0), SourceApp: "Web"},
		Raw:  map[string]json.RawMessage{"twitter-archive": json.RawMessage(`{"b":2}`)}}

	got := Merge(api, archive)
	want := Node{ID: id, Kind: KindPost, Platform: "twitter", Sources: []string{"twitter", "twitter-archive"},
		Post: &Post{Text: "hi", Created: created, Author: "twitter:account:1", LikeCount: i64(0), Lang: "en", SourceApp: "Web"},
		Raw: map[string]json.RawMessage{"twitter": json.RawMessage(`{"a":1}`),
			"twitter-archive": json.RawMessage(`{"b":2}`)}}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("Merge (-want +got):\n%s", d)
	}
	if api.Post.SourceApp != "" || len(api.Raw) != 1 {
		t.Fatal("Merge modified its argument")
	}
}

func TestMergeRefNeverDegradesComplete(t *testing.T) {
	id := ID("twitter", KindAccount, "42")
	full := Node{ID: id, Kind: KindAccount, Platform: "twitter", Account: &Account{Handle: "Alice", Bio: "bio"}}
	ref := Ref(id)
	ref.Account = &Account{Handle: "alice_old", Location: "Berlin"}

	got := Merge(full, ref)
	if got.Ref || got.Account.Handle != "Alice" || got.Account.Bio != "bio" || got.Account.Location != "Berlin" {
		t.Fatalf("Merge(complete, ref) = %+v %+v", got, got.Account)
	}
	got = Merge(ref, full)
	if got.Ref || got.Account.Handle != "Alice" || got.Account.Location != "Berlin" {
		t.Fatalf("Merge(ref, complete) = %+v %+v", got, got.Account)
	}
}

func TestValidateNamesTheRecord(t *testing.T) {
	post := ID("twitter", KindPost, "9")
	cases := []struct {
		n    Node
		want string
	}{
		{Node{Kind: KindPost}, "id and kind are required"},
		{Node{ID: post, Kind: KindAccount, Platform: "twitter", Account: &Account{}}, "do not match"},
		{Node{ID: post, Kind: KindPost, Platform: "twitter"}, "needs its post fields"},
		{Node{ID: post, Kind: KindPost, Platform: "twitter", Post: &Post{Created: time.Now()}}, "no author"},
		{Node{ID: post, Kind: KindPost, Platform: "twitter", Post: &Post{Author: "twitter:account:1"}}, "no creation time"},
	}
	for _, c := range cases {
		err := Validate(c.n)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want %q", c.n, err, c.want)
		}
	}
	if err := Validate(Ref(post)); err != nil {
		t.Errorf("Validate(ref) = %v", err)
	}
}

func TestValidateBatchEdgeEnds(t *testing.T) {
	a := Ref(ID("twitter", KindAccount, "1"))
	b := Batch{Nodes: []Node{a}, Edges: []Edge{{From: a.ID, Kind: EdgeFollows, To: "twitter:account:2"}}}
	err := ValidateBatch(b, func(id string) (bool, error) { return false, nil })
	if err == nil || !strings.Contains(err.Error(), `"twitter:account:2" is neither`) {
		t.Fatalf("ValidateBatch = %v", err)
	}
	err = ValidateBatch(b, func(id string) (bool, error) { return id == "twitter:account:2", nil })
	if err != nil {
		t.Fatalf("ValidateBatch with stored end = %v", err)
	}
}

func TestMergeIntoNothingKeepsTheNode(t *testing.T) {
	ref := Ref(ID("twitter", KindPost, "1"))
	if got := Merge(Node{}, ref); !got.Ref || got.ID != ref.ID {
		t.Fatalf("Merge(zero, ref) = %+v", got)
	}
}
