package twittertest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Chaos makes a Server misbehave the way api.twitter.com does on a bad
// day, without ever changing the world it serves: a request that gets
// through authentication and the rate-limit check is, with probability
// Rate, disturbed in one of these ways (chosen with equal weight):
//
//   - "429": 429 {"errors":[{"code":88,"message":"Rate limit exceeded"}]}
//     with x-rate-limit-remaining 0 and an x-rate-limit-reset 1 to 60
//     seconds ahead on the server clock;
//   - "500": 500 {"errors":[{"code":131,"message":"Internal error"}]};
//   - "502": 502 Bad Gateway with an HTML body, as a proxy sends it;
//   - "503": 503 {"errors":[{"code":130,"message":"Over capacity"}]};
//   - "drop": the status line, the headers and half the body (chunked) are
//     sent, then the connection is closed, half of the time with a TCP
//     reset;
//   - "truncate": the headers declare the full Content-Length, a part of
//     the body is sent and the connection is closed: the client reads
//     io.ErrUnexpectedEOF, as with a real cut response. (A 200 whose
//     Content-Length matches a broken body is never sent: no client could
//     tell it from a real answer.)
//   - "slow": the right answer after a pause of up to Slow (on the real
//     clock); not chosen when Slow is 0;
//   - "repeat": statuses/user_timeline and favorites/list with a max_id
//     answer as if max_id were up to 3 tweets higher, so the page starts
//     with tweets the previous page already had (a real API quirk). Only
//     when the undisturbed page has tweets, and so that it still has at
//     least one the previous page did not; when it cannot apply, another
//     disturbance is chosen.
//
// The choice for a request depends only on Seed, the request (method,
// endpoint and parameters) and how many times that same request was made
// before, not on the order in which concurrent requests arrive: the same
// import against the same seed meets the same disturbances.
type Chaos struct {
	Seed int64
	// Rate is the probability that a response is disturbed, 0 to 1.
	Rate float64
	// Slow is the longest pause of a slow answer, on the real clock. Keep
	// it small in tests.
	Slow time.Duration
	// Kinds, if set, restricts the disturbances to these (Chaos429, ...),
	// to test one at a time.
	Kinds []string
}

// WithChaos disturbs the server's answers as c says. Rate 0 changes
// nothing.
func WithChaos(c Chaos) Option {
	return func(s *Server) {
		if c.Rate > 0 {
			s.chaos = &chaos{cfg: c, seen: map[uint64]uint64{}, counts: map[string]int{}}
		}
	}
}

// Disturbance names, as ChaosCounts reports them.
const (
	Chaos429      = "429"
	Chaos500      = "500"
	Chaos502      = "502"
	Chaos503      = "503"
	ChaosDrop     = "drop"
	ChaosTruncate = "truncate"
	ChaosSlow     = "slow"
	ChaosRepeat   = "repeat"
)

// kinds lists the disturbances that may be chosen, repeat last.
func (c *chaos) kinds() []string {
	var kinds []string
	for _, k := range []string{Chaos429, Chaos500, Chaos502, Chaos503, ChaosDrop, ChaosTruncate, ChaosSlow, ChaosRepeat} {
		if k == ChaosSlow && c.cfg.Slow <= 0 || c.cfg.Kinds != nil && !slices.Contains(c.cfg.Kinds, k) {
			continue
		}
		kinds = append(kinds, k)
	}
	return kinds
}

// ChaosCounts returns how many responses were disturbed, by kind (see
// Chaos). It is empty without WithChaos.
func (s *Server) ChaosCounts() map[string]int {
	m := map[string]int{}
	if s.chaos == nil {
		return m
	}
	s.chaos.mu.Lock()
	defer s.chaos.mu.Unlock()
	for k, v := range s.chaos.counts {
		m[k] = v
	}
	return m
}

type chaos struct {
	cfg Chaos

	mu     sync.Mutex
	seen   map[uint64]uint64 // request key → times asked
	counts map[string]int
}

// rng returns the generator of one request: seeded from the chaos seed,
// the request and how many times it was made before.
func (c *chaos) rng(r *http.Request, endpoint string) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s %s?%s", r.Method, endpoint, r.Form.Encode()) // Encode sorts the keys
	key := h.Sum64()
	c.mu.Lock()
	n := c.seen[key]
	c.seen[key] = n + 1
	c.mu.Unlock()
	return rand.New(rand.NewPCG(splitmix(uint64(c.cfg.Seed)^splitmix(key)), splitmix(n)))
}

func (c *chaos) count(kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[kind]++
}

// serveChaos answers an authenticated, rate-allowed request with its form
// parsed, perhaps disturbed. The rate-limit headers are already set.
func (s *Server) serveChaos(rw http.ResponseWriter, r *http.Request, name string) {
	c := s.chaos
	rng := c.rng(r, name)
	q := r.Form
	if rng.Float64() >= c.cfg.Rate {
		write(rw, handlers[name](s, r, q))
		return
	}
	kinds := c.kinds()
	if len(kinds) == 0 {
		write(rw, handlers[name](s, r, q))
		return
	}
	kind := kinds[rng.IntN(len(kinds))]
	if kind == ChaosRepeat {
		if rq, ok := s.repeatQuery(name, q, rng); ok {
			q = rq
		} else if others := kinds[:len(kinds)-1]; len(others) > 0 { // repeat is last
			kind = others[rng.IntN(len(others))]
		} else {
			write(rw, handlers[name](s, r, q))
			return
		}
	}
	c.count(kind)
	h := rw.Header()
	switch kind {
	case Chaos429:
		reset := s.now().Add(time.Duration(1+rng.IntN(60)) * time.Second)
		h["x-rate-limit-remaining"] = []string{"0"}
		h["x-rate-limit-reset"] = []string{strconv.FormatInt(reset.Unix(), 10)}
		write(rw, errRate())
	case Chaos500:
		write(rw, apiError(http.StatusInternalServerError, 131, "Internal error"))
	case Chaos502:
		h.Set("Content-Type", "text/html; charset=utf-8")
		write(rw, &response{http.StatusBadGateway, []byte("<html>\n<head><title>502 Bad Gateway</title></head>\n" +
			"<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>tsa_b</center>\n</body>\n</html>\n")})
	case Chaos503:
		write(rw, apiError(http.StatusServiceUnavailable, 130, "Over capacity"))
	case ChaosDrop, ChaosTruncate:
		resp := handlers[name](s, r, q)
		cutConnection(rw, resp, kind == ChaosTruncate, rng)
	case ChaosSlow:
		d := time.Duration(rng.Int64N(int64(c.cfg.Slow) + 1))
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
		write(rw, handlers[name](s, r, q))
	default: // repeat: q has the raised max_id
		write(rw, handlers[name](s, r, q))
	}
}

// repeatQuery returns q with max_id raised by 1 to 3 tweets of the list
// the endpoint pages through, when the page asked for has tweets and
// count leaves room for at least one of them.
func (s *Server) repeatQuery(name string, q url.Values, rng *rand.Rand) (url.Values, bool) {
	if name != "statuses/user_timeline" && name != "favorites/list" {
		return nil, false
	}
	maxID, has, resp := idParam(q, "max_id")
	if !has || resp != nil {
		return nil, false
	}
	count := countParam(q, 20, 200)
	since, hasSince, resp := idParam(q, "since_id")
	if resp != nil {
		return nil, false
	}
	w := s.world
	u := s.subject(q, true)
	if u == nil || u.Suspended || u.Protected && u != w.owner {
		return nil, false
	}
	var list []*Tweet
	w.mu.Lock()
	if name == "favorites/list" {
		if u == w.owner {
			list = w.likes
		}
	} else {
		list = w.timeline(u)
		if len(list) > timelineCap {
			list = list[:timelineCap]
		}
	}
	w.mu.Unlock()
	lo := sort.Search(len(list), func(i int) bool { return list[i].id <= maxID })
	if lo == 0 || lo >= len(list) || hasSince && list[lo].id <= since {
		return nil, false // nothing above max_id to repeat, or an empty page
	}
	k := min(3, lo, count-1)
	if k < 1 {
		return nil, false
	}
	k = 1 + rng.IntN(k)
	out := make(url.Values, len(q))
	for key, v := range q {
		out[key] = v
	}
	out.Set("max_id", list[lo-k].IDStr)
	return out, true
}

// cutConnection sends the status line, the headers and a part of resp's
// body, and closes the connection. truncate declares the full
// Content-Length and sends a random part; otherwise the body is chunked
// and cut after half of it, and the close is a TCP reset half of the time.
func cutConnection(rw http.ResponseWriter, resp *response, truncate bool, rng *rand.Rand) {
	hj, ok := rw.(http.Hijacker)
	if !ok {
		write(rw, &response{http.StatusInternalServerError, nil})
		return
	}
	header := rw.Header().Clone()
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", resp.status, http.StatusText(resp.status))
	header.Del("Content-Length")
	header.Del("Transfer-Encoding")
	header.Set("Connection", "close")
	body := resp.body
	if truncate {
		header.Set("Content-Length", strconv.Itoa(max(len(body), 1)))
	} else {
		header.Set("Transfer-Encoding", "chunked")
	}
	header.Write(buf)
	buf.WriteString("\r\n")
	if truncate {
		if len(body) > 0 {
			buf.Write(body[:rng.IntN(len(body))]) // at least one byte short
		}
	} else if half := len(body) / 2; half > 0 {
		fmt.Fprintf(buf, "%x\r\n", half)
		buf.Write(body[:half])
	}
	buf.Flush()
	if !truncate && rng.IntN(2) == 0 {
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // close with a reset
		}
	}
}
