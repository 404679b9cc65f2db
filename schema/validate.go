package schema

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("invalid record")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// Validate checks one node. A reference needs only a well-formed id that
// agrees with its kind and platform; a complete node also needs the payload
// of its kind, and a post needs an author and a time.
func Validate(n Node) error {
	if n.ID == "" || n.Kind == "" {
		return invalid("node %q: id and kind are required", n.ID)
	}
	platform, kind, _, err := ParseID(n.ID)
	if err != nil {
		return invalid("node %q: %v", n.ID, err)
	}
	if kind != n.Kind || platform != n.Platform {
		return invalid("node %q: kind %q and platform %q do not match its id", n.ID, n.Kind, n.Platform)
	}
	if n.Ref {
		return nil
	}
	var has bool
	switch n.Kind {
	case KindAccount:
		has = n.Account != nil
	case KindPost:
		has = n.Post != nil
		if has && n.Post.Author == "" {
			return invalid("post %q: no author", n.ID)
		}
		if has && n.Post.Created.IsZero() {
			return invalid("post %q: no creation time", n.ID)
		}
	case KindMedia:
		has = n.Media != nil
	case KindLink:
		has = n.Link != nil
	case KindTag:
		has = n.Tag != nil
	}
	if !has {
		return invalid("node %q: a complete %s needs its %s fields", n.ID, n.Kind, n.Kind)
	}
	return nil
}

// ValidateBatch checks every node and edge of b. An edge's ends must be
// nodes of the batch or nodes that exist already, as told by exists (the
// store's lookup; it may be nil when nothing is stored).
//
// It is ValidateRecords, then ValidateEnds: a store can run the first
// outside its write transaction and only the second inside.
func ValidateBatch(b Batch, exists func(id string) (bool, error)) error {
	if err := ValidateRecords(b); err != nil {
		return err
	}
	return ValidateEnds(b, exists)
}

// ValidateEnds checks that each edge's ends are nodes of the batch or, as
// told by exists (nil when nothing is stored), nodes that exist already.
func ValidateEnds(b Batch, exists func(id string) (bool, error)) error {
	inBatch := make(map[string]bool, len(b.Nodes))
	for _, n := range b.Nodes {
		inBatch[n.ID] = true
	}
	for _, e := range b.Edges {
		for _, end := range []string{e.From, e.To} {
			if inBatch[end] {
				continue
			}
			ok := false
			if exists != nil {
				var err error
				if ok, err = exists(end); err != nil {
					return err
				}
			}
			if !ok {
				return invalid("edge %s: %q is neither a complete nor a reference node", e.Key(), end)
			}
		}
	}
	return nil
}

// ValidateRecords checks what can be checked without the store: every
// node (Validate), edge kinds, sweeps and cursor updates.
func ValidateRecords(b Batch) error {
	for _, n := range b.Nodes {
		if err := Validate(n); err != nil {
			return err
		}
	}
	for _, e := range b.Edges {
		if !e.Kind.Valid() {
			return invalid("edge %s: unknown kind %q", e.Key(), e.Kind)
		}
	}
	for _, s := range b.Sweeps {
		if !s.Kind.Valid() || (s.Dir != In && s.Dir != Out) || s.Anchor == "" || s.Since.IsZero() {
			return invalid("sweep %+v: anchor, a known kind, dir in/out and since are required", s)
		}
	}
	for _, c := range b.Cursors {
		if c.Stream == "" {
			return invalid("cursor update with no stream")
		}
	}
	return nil
}
