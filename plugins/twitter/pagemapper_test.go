package twitter

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/podimport/podimport/schema"
)

// mapEach maps every tweet of raws on its own (MapTweet) into one batch:
// what a page gives without the page mapper's memory of user objects.
func mapEach(t *testing.T, raws []json.RawMessage) schema.Batch {
	t.Helper()
	var bl schema.Builder
	for _, r := range raws {
		if _, err := MapTweet(r, &bl); err != nil {
			t.Fatal(err)
		}
	}
	return bl.Batch()
}

func mapPage(t *testing.T, raws []json.RawMessage) schema.Batch {
	t.Helper()
	var bl schema.Builder
	m := pageMapper{bl: &bl}
	for _, r := range raws {
		if _, err := m.tweet(r, rawKey); err != nil {
			t.Fatal(err)
		}
	}
	return bl.Batch()
}

func TestPageMapperMapsAsTweetByTweet(t *testing.T) {
	for _, name := range []string{"testusertimeline.json", "testhometimeline.json", "testcursornext.json"} {
		var raws []json.RawMessage
		if err := json.Unmarshal(fixture(t, name)[0].Body, &raws); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(mapEach(t, raws), mapPage(t, raws)); d != "" {
			t.Errorf("%s: the page mapper's batch differs (-tweet by tweet +page):\n%s", name, d)
		}
	}

	// The same account in two views on one page: the timeline's user
	// object, then an older one inside a retweet, then the first again.
	// The last view merged wins, as it does tweet by tweet.
	user := func(followers int) string {
		return fmt.Sprintf(`{"id_str":"7","screen_name":"seven","name":"Seven","followers_count":%d}`, followers)
	}
	tweet := func(id, usr, extra string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"id_str":%q,"created_at":"Fri Feb 24 06:58:32 +0000 2023","full_text":"t%s","user":%s%s}`, id, id, usr, extra))
	}
	raws := []json.RawMessage{
		tweet("1", user(10), ""),
		tweet("2", `{"id_str":"8","screen_name":"eight"}`, `,"retweeted_status":`+string(tweet("3", user(20), ""))),
		tweet("4", user(10), ""),
	}
	page := mapPage(t, raws)
	if d := cmp.Diff(mapEach(t, raws), page); d != "" {
		t.Errorf("two views of one account: the page mapper's batch differs (-tweet by tweet +page):\n%s", d)
	}
	for _, n := range page.Nodes {
		if n.ID == AccountID("7") && (n.Account.FollowersCount == nil || *n.Account.FollowersCount != 10) {
			t.Errorf("account 7 has followers %v, want 10 (the view merged last)", n.Account.FollowersCount)
		}
	}
}
