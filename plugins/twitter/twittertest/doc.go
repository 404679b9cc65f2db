// Package twittertest is a fake Twitter API v1.1 server for podimport's
// importer tests and for the `podimport demo` command.
//
// A World is a deterministic, generated social graph around one owner
// account: followers, followings (some protected, some suspended, about 30%
// following back), a dozen well-known outside accounts, the owner's likes,
// and timelines for everyone. Tweets look like the real ones: entities with
// code-point indices into HTML-escaped text (&amp; &lt; &gt;), t.co links
// with expanded_url and display_url, photos, videos and GIFs in
// extended_entities (with video_info), replies (threads, replies to others,
// and replies to tweets and accounts that no longer exist), retweets,
// quotes (some of deleted tweets), English, German and Japanese text, and
// snowflake ids above 2^53 that increase with creation time. The same
// WorldConfig (with a fixed Clock) gives byte-identical responses. Only the
// accounts and the follow graph are built up front; a timeline is generated
// on first use, each tweet from a seed derived from the world seed, its
// author and its position, so the order of requests changes nothing.
//
// A Server serves a World the way api.twitter.com/1.1 does (see
// /work/shared/reference/platform-apis.md, section 1):
//
//   - OAuth 1.0a: every request needs an HMAC-SHA1 Authorization header for
//     the configured Credentials, recomputed from the header's own
//     oauth_timestamp and oauth_nonce. No or garbled header: 400 code 215;
//     wrong consumer key, secret or signature: 401 code 32; unknown or
//     revoked token: 401 code 89; a timestamp more than 15 minutes from both
//     the server clock and the wall clock: 401 code 135. (A client such as
//     github.com/dghubble/oauth1 signs with the wall clock while tests move a
//     fake server clock; either is accepted.)
//   - Rate limits per endpoint per access token in 15-minute windows that
//     start at the first request, with the real limits; x-rate-limit-limit,
//     -remaining and -reset on every response of a known endpoint (errors
//     included); user_timeline also has x-app-rate-limit-*; when spent, 429
//     {"errors":[{"code":88,"message":"Rate limit exceeded"}]}.
//   - statuses/user_timeline: since_id exclusive, max_id inclusive, count
//     (default 20, at most 200) applied before exclude_replies and
//     include_rts=false remove tweets, only the 3,200 newest reachable,
//     tweet_mode=extended (full_text, display_text_range) or compatibility
//     mode (text; tweets over 140 characters cut to 115 + "… " + link with
//     truncated: true; retweets "RT @x: …" cut at 140 in both modes).
//     Protected accounts: 401 {"request":...,"error":"Not authorized."};
//     suspended: 403 code 63; unknown: 404 code 34.
//   - favorites/list (same paging), followers/ids and friends/ids (cursors,
//     count up to 5000, stringify_ids), followers/list and friends/list
//     (count up to 200; suspended accounts counted, then dropped), users/show
//     (404 code 50, 403 code 63), users/lookup (GET or POST, at most 100
//     terms else 403 code 18; unknown and suspended dropped; 404 code 17 when
//     none match; order shuffled deterministically), account/verify_credentials
//     and statuses/show (404 code 144, protected 403 code 179). Anything else
//     is 404 code 34.
//
// The follow graph is complete only around the owner: another account's
// followers/ids is the owner when the owner follows it, and nobody else.
//
// Typical use:
//
//	clock := ... // a fake clock, or time.Now
//	w := twittertest.NewWorld(twittertest.WorldConfig{Seed: 1, Followers: 200, Followings: 80,
//		OwnTweets: 500, TweetsPerFollowing: 20, Protected: 2, Suspended: 1, Likes: 100, Clock: clock})
//	s := twittertest.NewServer(w, twittertest.WithClock(clock))
//	defer s.Close()
//	// point the importer at s.BaseURL() with s.Credentials()
package twittertest
