// Package schema is podimport's platform-neutral vocabulary: the kinds of
// nodes and edges in the graph, their typed fields, stable ids, the rules for
// merging two views of the same node, and validation. It does no I/O.
//
// Every platform plugin maps its JSON onto these types; the store persists
// them; the index reads them. Ids from platforms are strings end to end
// (Twitter ids exceed 2^53 and must never pass through float64).
package schema

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Kind is the kind of a node.
type Kind string

// Node kinds.
const (
	KindAccount Kind = "account"
	KindPost    Kind = "post"
	KindMedia   Kind = "media"
	KindLink    Kind = "link"
	KindTag     Kind = "tag"
)

// NodeKinds lists every node kind, in a stable order.
var NodeKinds = []Kind{KindAccount, KindPost, KindMedia, KindLink, KindTag}

// Valid reports whether k is a known node kind.
func (k Kind) Valid() bool {
	for _, v := range NodeKinds {
		if k == v {
			return true
		}
	}
	return false
}

// EdgeKind is the kind of a directed edge.
type EdgeKind string

// Edge kinds. The comment gives the direction From → To.
const (
	EdgeFollows  EdgeKind = "follows"   // account → account it follows
	EdgeAuthored EdgeKind = "authored"  // account → post
	EdgeReplyTo  EdgeKind = "reply_to"  // post → post it replies to
	EdgeRepostOf EdgeKind = "repost_of" // post (the repost) → original post
	EdgeQuotes   EdgeKind = "quotes"    // post → quoted post
	EdgeMentions EdgeKind = "mentions"  // post → account
	EdgeHasMedia EdgeKind = "has_media" // post → media
	EdgeLinksTo  EdgeKind = "links_to"  // post → link
	EdgeTagged   EdgeKind = "tagged"    // post → tag
	EdgeLikes    EdgeKind = "likes"     // account → post
)

// EdgeKinds lists every edge kind, in a stable order.
var EdgeKinds = []EdgeKind{
	EdgeFollows, EdgeAuthored, EdgeReplyTo, EdgeRepostOf, EdgeQuotes,
	EdgeMentions, EdgeHasMedia, EdgeLinksTo, EdgeTagged, EdgeLikes,
}

// Valid reports whether k is a known edge kind.
func (k EdgeKind) Valid() bool {
	for _, v := range EdgeKinds {
		if k == v {
			return true
		}
	}
	return false
}

// ID builds the stable id of a node: "<platform>:<kind>:<native id>", for
// example "twitter:post:1629012888185610242". The native id is used as given
// (it is the platform's own string id, a lowercased tag name, or a url).
func ID(platform string, kind Kind, native string) string {
	return platform + ":" + string(kind) + ":" + native
}

// ParseID splits an id made by ID. The native part may itself contain
// colons (urls do).
func ParseID(id string) (platform string, kind Kind, native string, err error) {
	parts := strings.SplitN(id, ":", 3)
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" || !Kind(parts[1]).Valid() {
		return "", "", "", fmt.Errorf("schema: %q is not a node id (want platform:kind:native, kind one of %v)", id, NodeKinds)
	}
	return parts[0], Kind(parts[1]), parts[2], nil
}

// Node is one vertex of the graph. Exactly one of the typed payloads matches
// Kind (Account for KindAccount, and so on); a reference node has none.
type Node struct {
	ID       string `json:"id"`
	Kind     Kind   `json:"kind"`
	Platform string `json:"platform"`

	// Ref marks a reference node: something named by another record (a
	// reply's parent, a mentioned account) that has not been imported
	// itself. It carries only ID, Kind and Platform, plus whatever the naming
	// record knew (a handle, say) in the payload. A complete node replaces
	// it when the thing itself is imported.
	Ref bool `json:"ref,omitempty"`

	// Sources names the plugins that supplied this node, sorted
	// ("twitter", "twitter-archive").
	Sources []string `json:"sources,omitempty"`

	Account *Account `json:"account,omitempty"`
	Post    *Post    `json:"post,omitempty"`
	Media   *Media   `json:"media,omitempty"`
	Link    *Link    `json:"link,omitempty"`
	Tag     *Tag     `json:"tag,omitempty"`

	// Raw is the platform's JSON for this node, by source, kept so that
	// nothing the platform sent is lost. The store keeps it apart from the
	// normalized fields so that reading a node for the index stays cheap.
	Raw map[string]json.RawMessage `json:"raw,omitempty"`
}

// Account is a person's or organisation's account on a platform.
type Account struct {
	Handle         string    `json:"handle,omitempty"` // without the @
	DisplayName    string    `json:"display_name,omitempty"`
	Bio            string    `json:"bio,omitempty"`
	Location       string    `json:"location,omitempty"`
	URL            string    `json:"url,omitempty"` // expanded
	Avatar         string    `json:"avatar,omitempty"`
	AvatarBlob     string    `json:"avatar_blob,omitempty"` // sha256 of a local copy
	Created        time.Time `json:"created,omitzero"`
	FollowersCount *int64    `json:"followers_count,omitempty"`
	FollowingCount *int64    `json:"following_count,omitempty"`
	PostCount      *int64    `json:"post_count,omitempty"`
	Protected      *bool     `json:"protected,omitempty"`
	Verified       *bool     `json:"verified,omitempty"`
}

// Post is a status, tweet, toot, skeet, comment or video.
type Post struct {
	Text    string    `json:"text,omitempty"` // display text: entities decoded, links expanded
	Created time.Time `json:"created,omitzero"`
	Lang    string    `json:"lang,omitempty"`

	Author       string `json:"author,omitempty"`        // account node id
	AuthorHandle string `json:"author_handle,omitempty"` // denormalized for search (from:)

	ReplyTo       string `json:"reply_to,omitempty"`        // post node id
	ReplyToHandle string `json:"reply_to_handle,omitempty"` // denormalized for search (to:)
	RepostOf      string `json:"repost_of,omitempty"`       // post node id
	Quotes        string `json:"quotes,omitempty"`          // post node id

	LikeCount   *int64 `json:"like_count,omitempty"`
	RepostCount *int64 `json:"repost_count,omitempty"`
	ReplyCount  *int64 `json:"reply_count,omitempty"`
	QuoteCount  *int64 `json:"quote_count,omitempty"`

	SourceApp string   `json:"source_app,omitempty"`
	Hashtags  []string `json:"hashtags,omitempty"` // lowercased, without #
	Mentions  []string `json:"mentions,omitempty"` // lowercased handles, without @
	URLs      []string `json:"urls,omitempty"`     // expanded
	Media     []string `json:"media,omitempty"`    // media node ids
}

// Media is a photo, video or animated gif attached to a post.
type Media struct {
	Type    string `json:"type,omitempty"` // photo, video, animated_gif
	URL     string `json:"url,omitempty"`
	AltText string `json:"alt_text,omitempty"`
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Blob    string `json:"blob,omitempty"` // sha256 (hex) of a local copy in the store's blob folder
}

// Link is a url that posts link to.
type Link struct {
	URL     string `json:"url,omitempty"` // expanded
	Display string `json:"display,omitempty"`
}

// Tag is a hashtag.
type Tag struct {
	Name string `json:"name,omitempty"` // lowercased, without #
}

// Ref returns a reference node for id. The id must be valid (see ParseID).
func Ref(id string) Node {
	platform, kind, _, err := ParseID(id)
	if err != nil {
		panic(err) // ids are built by ID; a bad one is a programming error
	}
	return Node{ID: id, Kind: kind, Platform: platform, Ref: true}
}

// Edge is a directed relation between two nodes.
type Edge struct {
	From string   `json:"from"`
	Kind EdgeKind `json:"kind"`
	To   string   `json:"to"`

	// FirstSeen and LastSeen bound the time the edge was observed. A plugin
	// may set them from the data (an archive's generation date); when zero,
	// the store sets them to the time of the run that wrote the edge.
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
	// Ended is set by the store when a full pass over a set of edges (all
	// followers of an account) no longer saw this one. Ended edges are kept.
	Ended time.Time `json:"ended,omitzero"`
}

// Key identifies the edge regardless of its times.
func (e Edge) Key() string { return e.From + " " + string(e.Kind) + " " + e.To }

// Direction says which end of an edge a Sweep is anchored at.
type Direction string

const (
	Out Direction = "out" // edges whose From is the anchor
	In  Direction = "in"  // edges whose To is the anchor
)

// Sweep closes a full pass over a set of edges: every edge of Kind at
// Anchor in Dir whose LastSeen is before Since, and that is not yet ended,
// is ended at Since. A plugin emits it after it has seen the whole set (all
// followers of an account) since Since, the time the pass began.
type Sweep struct {
	Anchor string    `json:"anchor"`
	Kind   EdgeKind  `json:"kind"`
	Dir    Direction `json:"dir"`
	Since  time.Time `json:"since"`
}

// CursorUpdate sets the value of one of the plugin's cursors. The host
// fills in the plugin and account: a cursor is keyed by (plugin, account,
// stream). The value is the plugin's own (often JSON); an empty value
// deletes the cursor.
type CursorUpdate struct {
	Stream string `json:"stream"`
	Value  string `json:"value"`
}

// Batch is the unit a plugin emits: nodes and edges, the cursors they
// advance and the sweeps they close. The store commits a batch in one
// transaction, so a crash loses at most the batch in flight.
type Batch struct {
	Nodes   []Node
	Edges   []Edge
	Cursors []CursorUpdate
	Sweeps  []Sweep
}

// Len is the number of records (nodes and edges) in the batch.
func (b *Batch) Len() int { return len(b.Nodes) + len(b.Edges) }
