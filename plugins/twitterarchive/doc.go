// Package twitterarchive imports the archive Twitter/X lets everyone
// download — the .zip, or the folder it was extracted to — into the same
// graph as the API importer (plugins/twitter): the same ids, so a tweet
// imported from both is one node with the union of their fields.
//
//	podimport import twitter-archive ~/Downloads/twitter-2024-05-01-abc.zip
//	podimport import twitter-archive --no-media ~/Downloads/twitter-2024-05-01-abc
//
// # What it reads
//
// data/manifest.js finds the data files and their parts (dataTypes.*.files;
// without a manifest, data/ is scanned), the owner (userInfo) and the
// generation date. data/account.js and data/profile.js give the owner's
// account (handle, display name, bio, website, location, creation time,
// avatar file). data/tweets.js and its parts (tweets-part1.js, …), or the
// older data/tweet.js (YTD.tweet.part0), with or without the {"tweet": …}
// wrapper, give the owner's tweets: text (mapped exactly as the API
// importer maps it), replies, quotes, mentions, hashtags, links, media and
// counts. data/like.js gives likes edges to reference posts that carry the
// liked text; data/follower.js and data/following.js give follows edges to
// reference accounts known by id only, which a later API import completes.
// Media files in data/tweets_media (data/tweet_media in older archives),
// named "<tweet id>-<basename of media_url>" (a video's after its mp4), and
// the avatar in data/profile_media are copied into the store's blob folder
// by sha256 (importer.Host.Blob) and linked from Media.Blob and
// Account.AvatarBlob; --no-media skips them. Every other file is ignored,
// and named in a debug log line.
//
// Numbers and ids arrive as strings ("12"; JSON numbers in some older
// archives) and are parsed as integers, never through float64.
//
// # Decisions
//
// Retweets. The archive has no retweeted_status: a retweet is a tweet whose
// full_text starts "RT @user:", cut at 140 characters, with the retweeted
// account among its user_mentions. It becomes the owner's post with a
// mentions edge to that account. Its original is known only when its media
// name it (source_status_id_str, source_user_id_str): then the post's
// RepostOf and a repost_of edge point at a reference post for the original
// (with its author), and the retweet's tags, links, media and other
// mentions are linked from the original, as the API importer links them.
// Otherwise RepostOf stays empty (an id cannot be made up), and an API
// import of the same tweet id fills it in. Because the archive's text of a
// retweet is cut short, it is used only while no complete node is stored
// for the tweet: it never replaces the API's whole text (nor its entity
// lists). Quotes have no quoted_status either: a tweet whose last url links
// to a tweet (twitter.com or x.com /status/<id>) quotes it.
//
// What the archive lacks never erases what the API supplied (schema.Merge:
// zero fields never win, references never degrade complete nodes); the
// archive has no counts for the owner, no author for liked tweets, and a
// profile website that is usually a t.co link, which is kept only until
// the API supplies the url it leads to. The owner's e-mail address and the
// way the account was created are not stored, not even in the raw JSON.
// Complete nodes record "twitter-archive" in Sources and keep the archive's
// item as raw JSON under the same key.
//
// Times. Every edge is LastSeen at the archive's generation date
// (archiveInfo.generationDate; else the modification time of
// data/manifest.js or of the first data file, which a zip fixes), and a
// tweet's edges are FirstSeen at the tweet's creation. So importing the
// same archive again writes nothing, and a newer archive moves LastSeen.
// The follower and following lists are complete as of that date: once a
// whole list is in, follows of the owner last seen before it and absent
// from it are ended (not for an archive marked isPartialArchive).
//
// Cursor. The one cursor, stream "archive", records the archive's
// generation date and how far the import has come (the data file and the
// items of it committed), in the same transaction as each batch (500
// tweets, 1,000 likes, 5,000 follows), and whether media were skipped. An
// interrupted import of the same archive resumes after its last committed
// batch; a completed one is recorded as done and is not read again (in
// both cases, unless it was imported with --no-media and media are now
// wanted: then it is read again from the start). An archive with another generation
// date is read whole; merging makes everything it shares with the stored
// graph a no-op, so only what is new is written.
//
// Streaming. Files are read through io/fs (zip.Reader or os.Root's FS, so
// zips and folders share one path): each data file is decoded one item at a
// time after its `window.YTD.… =` prefix, media are streamed into the blob
// store a few at a time while the batch is read, and a batch is committed
// while the next one is read. Memory does not grow with the archive.
//
// Bad input. Nothing is written for a path that is missing (a
// configuration error naming --path), a file that is not a zip or a
// truncated one (the error says "truncated or not a zip"), a folder
// without data/, a zip entry whose name leads outside the archive ("../",
// an absolute path: checked here, whatever GODEBUG says), or a manifest
// listing a file the archive lacks. A data file cut short or not valid JSON
// stops the import with an error naming the file, the item and the byte;
// the batches before it stay committed and the one in progress is not, and
// the next import of the complete archive resumes from there.
package twitterarchive
