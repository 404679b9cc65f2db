package podrun

import (
	"github.com/podimport/podimport/importer"
)

// DefaultStreams is the number of streams Progress expects of a plugin that
// does not say (the twitter plugin's profile, followers, followings,
// timeline, followings' timelines).
const DefaultStreams = 5

// StreamCounter may be implemented by a plugin to tell progress how many
// streams (Host.Stream calls) a run with these values will go through.
type StreamCounter interface {
	Streams(v importer.Values) int
}

// unknownScale is the number of items at which a stream of unknown size
// counts as half done.
const unknownScale = 100

// Progress turns a run's reports into one number that rises from 0 towards
// 1 and never falls. The run is expected to go through n streams, in order;
// each new stream gets an equal share of what is left:
//
//	width = (1 - base) / max(n - k, 2)   for the k-th stream (k from 0),
//	                                      base = the progress when it began
//	progress = base + width × f
//
// where f is items/expect for a stream of known size (capped at 1) and
// items/(items+100) for one of unknown size. With the right n the shares
// are equal except the last stream's, which is half of what is left, so
// that progress does not reach 1 before the run is done: for five streams
// 0–0.2, 0.2–0.4, 0.4–0.6, 0.6–0.8, 0.8–0.9. A run with more streams than
// expected keeps going up by halves of what is left. Only the end of the
// run (done) sets 1.
type Progress struct {
	streams int
	k       int // index of the current stream, -1 before the first
	stream  string
	base    float64
	width   float64
	last    float64
}

// NewProgress expects a run of n streams (DefaultStreams if n < 1).
func NewProgress(n int) *Progress {
	if n < 1 {
		n = DefaultStreams
	}
	return &Progress{streams: n, k: -1}
}

// StreamsOf asks p how many streams a run with v goes through.
func StreamsOf(p importer.Plugin, v importer.Values) int {
	if c, ok := p.(StreamCounter); ok {
		return c.Streams(v)
	}
	return DefaultStreams
}

// Update takes a report and returns the progress.
func (p *Progress) Update(s importer.Status) float64 {
	if s.Stream != "" && s.Stream != p.stream {
		p.k++
		p.stream = s.Stream
		p.base = p.last
		p.width = (1 - p.base) / float64(max(p.streams-p.k, 2))
	}
	if p.k < 0 {
		return p.last
	}
	var f float64
	switch {
	case s.Expect > 0:
		f = min(float64(s.Items)/float64(s.Expect), 1)
	case s.Items > 0:
		f = float64(s.Items) / float64(s.Items+unknownScale)
	}
	p.last = max(p.last, p.base+p.width*f)
	return p.last
}

// Last is the latest progress.
func (p *Progress) Last() float64 { return p.last }
