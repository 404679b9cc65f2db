package podrun

import (
	"io"
	"slices"
	"strings"
	"sync"
)

// Redacted replaces a secret in anything podrun writes.
const Redacted = "[REDACTED]"

// Redactor replaces known secrets (credentials, the pod's authorization) in
// text. Plugins and the importer already keep secrets out of their
// messages; this is the second line, for what a pod or a platform might
// echo back. A nil *Redactor changes nothing.
type Redactor struct {
	mu       sync.RWMutex
	secrets  []string
	replacer *strings.Replacer
}

// NewRedactor returns a Redactor for secrets.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add adds secrets. Strings shorter than 4 bytes are not treated as secrets:
// replacing them would garble ordinary text.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) >= minSecretChars && !slices.Contains(r.secrets, s) {
			r.secrets = append(r.secrets, s)
		}
	}
	// Longest first, so that a secret containing another is replaced whole.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(r.secrets))
	for _, s := range r.secrets {
		pairs = append(pairs, s, Redacted)
	}
	r.replacer = strings.NewReplacer(pairs...)
}

// String returns s with every secret replaced.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.replacer == nil || len(r.secrets) == 0 {
		return s
	}
	return r.replacer.Replace(s)
}

// Writer returns a writer that redacts each Write before passing it on.
// Loggers write whole lines per call, which is what makes this work.
func (r *Redactor) Writer(w io.Writer) io.Writer {
	return &redactWriter{r: r, w: w}
}

type redactWriter struct {
	r *Redactor
	w io.Writer
}

func (rw *redactWriter) Write(p []byte) (int, error) {
	s := rw.r.String(string(p))
	if s == string(p) {
		return rw.w.Write(p)
	}
	if _, err := io.WriteString(rw.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}
