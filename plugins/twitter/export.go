package twitter

import (
	"html"
	"time"
)

// Helpers for the archive importer (plugins/twitterarchive), which reads
// the same tweets from another source and must map them to the very same
// fields: the same tweet gives the same display text, source app and time
// whether it came from the API or from the archive.

// URLEntity is a link of a tweet's entities: the t.co link in the text,
// where it leads, and how it is shown.
type URLEntity struct {
	URL         string
	ExpandedURL string
	DisplayURL  string
}

// DisplayText returns a tweet's display text exactly as MapTweet makes it
// from full_text: HTML entities decoded, the t.co links of urls replaced by
// their expanded urls, and the t.co links of attached media (mediaLinks,
// each media entity's "url") removed.
func DisplayText(fullText string, urls []URLEntity, mediaLinks []string) string {
	us := make([]urlEntity, len(urls))
	for i, u := range urls {
		us[i] = urlEntity{URL: u.URL, ExpandedURL: u.ExpandedURL, DisplayURL: u.DisplayURL}
	}
	ms := make([]mediaEntity, len(mediaLinks))
	for i, l := range mediaLinks {
		ms[i].URL = l
	}
	return expand(html.UnescapeString(fullText), us, ms)
}

// SourceApp returns the name of the app a tweet was sent from, as MapTweet
// does: the "source" HTML link with its tags stripped.
func SourceApp(source string) string { return stripTags(source) }

// ParseCreatedAt parses a tweet's created_at ("Fri Feb 24 06:58:32 +0000
// 2023") into UTC, as MapTweet does. An empty string gives the zero time.
func ParseCreatedAt(s string) (time.Time, error) { return parseTime(s) }
