package twittertest

import (
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// The vocabulary the generated world is written in. Texts are stored the way
// the v1.1 API sends them: HTML-escaped (&amp; &lt; &gt;), with entity
// indices counted in code points of that escaped text.

var enOpeners = []string{
	"Just finished reading", "Currently working on", "Spent the afternoon with",
	"Thinking a lot about", "Can't stop listening to", "Finally tried",
	"Really enjoying", "Still not sure about", "Somebody please explain",
	"Loving", "Quick thread on", "Hot take:",
}

var enDeterminers = []string{
	"the new", "an old", "my favorite", "a surprisingly good", "this weird little",
	"that", "our", "yet another",
}

var enObjects = []string{
	"book on distributed systems", "podcast about urban gardening",
	"coffee place downtown", "pull request", "sourdough recipe", "jazz record",
	"hiking trail", "bug in the parser", "documentary about octopuses",
	"board game", "text editor", "bike route to work", "sci-fi series",
	"keyboard", "conference talk", "pasta sauce",
}

var enEndings = []string{
	".", "!", " and I love it.", " — highly recommend.", ", thoughts?", " 🙌",
	" 😅", "...", " &amp; it was worth it.", " &lt;3", ". 10/10 would do again.",
	" -&gt; more soon.",
}

var enSentences = []string{
	"The weather is finally nice enough to work outside.",
	"Coffee first, questions later.",
	"Reminder: back up your data.",
	"Shipping on a Friday is a lifestyle choice.",
	"Anyone else up this early?",
	"Tea &amp; biscuits, the only correct afternoon.",
	"Trains were late again, but the view made up for it.",
	"Learned something new today and I want to tell everyone.",
	"If x &lt; y and y &lt; z then, yes, x &lt; z.",
	"This is the way.",
	"Long week. Good people. Great results.",
	"Tiny wins count too.",
	"The cat has claimed my chair. I work from the floor now.",
	"Writing tests before lunch feels great.",
	"Going offline for the weekend, see you Monday!",
}

var deSentences = []string{
	"Heute ist das Wetter wirklich schön.",
	"Ich habe gerade ein gutes Buch gelesen.",
	"Wir sehen uns morgen in Berlin!",
	"Kaffee &amp; Kuchen am Sonntag, was will man mehr?",
	"Endlich Wochenende, ab in die Berge.",
	"Die Bahn hat wieder Verspätung, aber egal.",
	"Wer kommt mit zum Konzert am Freitag?",
	"Grüße aus München! Es schneit schon wieder.",
	"Frisches Brot vom Bäcker ist einfach unschlagbar.",
	"Neues Projekt gestartet, ich bin gespannt.",
	"Der Fußball gestern war ziemlich spannend.",
	"Schönen Abend euch allen!",
}

var jaSentences = []string{
	"今日はとても暑いですね。",
	"新しいカフェに行ってきました☕",
	"週末は京都へ旅行します。",
	"やっと仕事が終わった！",
	"この本、本当に面白かったです。",
	"桜がきれいに咲いています🌸",
	"明日の会議の準備をしています。",
	"ラーメン食べたい。",
	"雨の日は家で映画を見るのが好きです。",
	"おはようございます！今日も一日がんばりましょう。",
}

var undTexts = []string{"🔥🔥🔥", "😂😂", "👀", "🎉🎉🎉", "❤️"}

var hashtagWords = []string{
	"golang", "opensource", "coffee", "photography", "MondayMotivation",
	"travel", "Berlin", "music", "books", "100DaysOfCode", "東京", "Fußball",
	"weekend", "gardening", "nowplaying", "dataviz",
}

var linkTargets = []string{
	"https://github.com/golang/go/issues/%d",
	"https://www.theguardian.com/technology/2019/jul/13/story-%d",
	"https://de.wikipedia.org/wiki/Artikel_%d",
	"https://www.youtube.com/watch?v=dQw4w9WgX%d",
	"https://blog.example.org/posts/%d/a-long-and-winding-title",
	"https://news.ycombinator.com/item?id=%d",
	"https://www.nytimes.com/2020/05/01/science/article-%d.html",
	"https://example.com/p/%d",
}

var firstNames = []string{
	"Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Ivan",
	"Julia", "Karl", "Lena", "Max", "Nora", "Oskar", "Paula", "Quinn", "Rosa",
	"Sam", "Tara", "Uwe", "Vera", "Will", "Yuki", "Zoe", "Jürgen", "Søren",
	"Zoë", "Aiko", "Ren", "Maya", "Leo", "Ines", "Tom", "Lucía", "Noah",
}

var lastNames = []string{
	"Müller", "Schmidt", "Smith", "Jones", "Tanaka", "Suzuki", "Garcia",
	"Novak", "Larsen", "Fischer", "Weber", "Brown", "Nakamura", "Rossi",
	"Dubois", "Kowalski", "Becker", "Wagner", "Lee", "Ito", "Silva", "Berg",
}

var jaNames = []string{"佐藤 花子", "田中 太郎", "鈴木 一郎", "高橋 さくら", "山本 健", "中村 美咲"}

var nameDecorations = []string{"", "", "", "", " 🌻", " 🏳️‍🌈", " ✨", " (she/her)", " | dev"}

var handleParts = []string{
	"pixel", "river", "maple", "cloud", "otter", "quiet", "nova", "lemon",
	"cedar", "echo", "fox", "delta", "kiwi", "orbit", "sunny", "tiny",
	"moss", "coder", "birch", "juno", "nimbus", "pepper", "rusty", "willow",
}

var descriptions = []string{
	"Software engineer. Coffee enthusiast. Opinions are my own.",
	"Photographer & traveller 📷 Based in Berlin.",
	"I write about cities, trains and the people in them.",
	"Gardener, reader, occasional runner.",
	"Softwareentwicklerin aus Hamburg. Mag Katzen und Kaffee.",
	"東京在住のエンジニアです。",
	"Building things on the web since 2004.",
	"Teacher by day, musician by night 🎸",
	"",
	"Data nerd. #dataviz #opensource",
	"Here for the memes and the bird pictures.",
	"Ich tweete über Fußball, Politik & Brot.",
}

var locations = []string{
	"", "", "Berlin, Deutschland", "München", "Hamburg", "London", "東京",
	"San Francisco, CA", "Paris, France", "Earth", "somewhere on the internet",
	"Wien", "Osaka", "New York, NY", "Zürich",
}

var userLinks = []string{
	"https://example.com", "https://github.com/%s", "https://%s.dev",
	"https://blog.example.org/%s", "https://www.%s.de",
}

var sources = []string{
	`<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>`,
	`<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>`,
	`<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>`,
	`<a href="https://about.twitter.com/products/tweetdeck" rel="nofollow">TweetDeck</a>`,
}

var externalAccounts = []struct{ handle, name, desc string }{
	{"TwitterDev", "Twitter Dev", "The voice of the #TwitterDev team and your official source for updates, news, and events, related to the #TwitterAPI."},
	{"golang", "Go", "Go is an open source programming language that makes it easy to build simple, reliable, and efficient software."},
	{"NASA", "NASA", "There's space for everybody. ✨"},
	{"tagesschau", "tagesschau", "Hier twittert die Redaktion von tagesschau.de."},
	{"nhk_news", "NHK ニュース", "NHKのニュースをお伝えします。"},
	{"BBCBreaking", "BBC Breaking News", "Breaking news alerts and updates from the BBC."},
	{"github", "GitHub", "How people build software."},
	{"wikipedia", "Wikipedia", "The free encyclopedia that anyone can edit."},
	{"XKCDComic", "xkcd", "A webcomic of romance, sarcasm, math, and language."},
	{"spiegelonline", "DER SPIEGEL", "Nachrichten, Analysen, Kommentare."},
	{"natgeo", "National Geographic", "Taking our understanding of the world further."},
	{"internetarchive", "Internet Archive", "Universal access to all knowledge."},
}

const tcoAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randCode(rng *rand.Rand, n int) string {
	var b strings.Builder
	b.Grow(n)
	for range n {
		b.WriteByte(tcoAlphabet[rng.IntN(len(tcoAlphabet))])
	}
	return b.String()
}

// tco returns a t.co link: "https://t.co/" + 10 characters, 23 in all.
func tco(rng *rand.Rand) string { return "https://t.co/" + randCode(rng, 10) }

// displayURL shortens an expanded URL the way Twitter does for display_url:
// no scheme, no "www.", and at most 26 characters followed by "…".
func displayURL(expanded string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(expanded, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	if utf8.RuneCountInString(s) > 26 {
		r := []rune(s)
		s = string(r[:26]) + "…"
	}
	return s
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// textBuilder appends text and keeps the length in code points, which is how
// v1.1 entity indices count.
type textBuilder struct {
	b []byte
	n int
}

func (t *textBuilder) add(s string) (start, end int) {
	start = t.n
	t.b = append(t.b, s...)
	t.n += utf8.RuneCountInString(s)
	return start, t.n
}

func (t *textBuilder) String() string { return string(t.b) }

func runeLen(s string) int { return utf8.RuneCountInString(s) }
