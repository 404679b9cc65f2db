package podrun

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
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
		if len(s) < minSecretChars {
			continue
		}
		for _, form := range writtenForms(s) {
			if !slices.Contains(r.secrets, form) {
				r.secrets = append(r.secrets, form)
			}
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

// writtenForms is s as it is and as it appears inside a JSON string (with
// and without HTML escaping: zerolog's JSON, the status lines) or a URL's
// query: a secret with a quote, a backslash or an & in it is written
// escaped there, and would not be found as it is.
func writtenForms(s string) []string {
	forms := []string{s, url.QueryEscape(s)}
	for _, html := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(s) == nil {
			quoted := strings.TrimSuffix(b.String(), "\n") // "…"
			forms = append(forms, quoted[1:len(quoted)-1])
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(forms)))
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
