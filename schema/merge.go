package schema

import (
	"encoding/json"
	"reflect"
	"slices"
)

// Merge combines a stored node with a newly imported view of the same node
// and returns the result. The rules:
//
//   - A reference never degrades a complete node: merging a ref into a
//     complete node only adds what the complete node lacks.
//   - Field by field, a non-zero value in next wins; a zero value (a field
//     the source does not have, such as counts in an archive) never erases
//     what another source supplied. Counts and flags are pointers so that a
//     real zero or false still counts as supplied.
//   - Sources and Raw are unions; Raw of the same source is replaced.
//
// Merge does not modify its arguments.
func Merge(prev, next Node) Node {
	if prev.ID == "" {
		return Merge(next, Node{ID: next.ID, Kind: next.Kind, Platform: next.Platform, Ref: next.Ref})
	}
	out := prev
	out.Ref = prev.Ref && next.Ref
	if next.Platform != "" {
		out.Platform = next.Platform
	}
	if next.Kind != "" {
		out.Kind = next.Kind
	}
	if next.Ref && !prev.Ref {
		// A reference only fills gaps of the complete node.
		out.Account = mergePtr(next.Account, prev.Account)
		out.Post = mergePtr(next.Post, prev.Post)
		out.Media = mergePtr(next.Media, prev.Media)
		out.Link = mergePtr(next.Link, prev.Link)
		out.Tag = mergePtr(next.Tag, prev.Tag)
	} else {
		out.Account = mergePtr(prev.Account, next.Account)
		out.Post = mergePtr(prev.Post, next.Post)
		out.Media = mergePtr(prev.Media, next.Media)
		out.Link = mergePtr(prev.Link, next.Link)
		out.Tag = mergePtr(prev.Tag, next.Tag)
	}
	out.Sources = unionSorted(prev.Sources, next.Sources)
	if len(prev.Raw)+len(next.Raw) > 0 {
		out.Raw = make(map[string]json.RawMessage, len(prev.Raw)+len(next.Raw))
		for k, v := range prev.Raw {
			out.Raw[k] = v
		}
		for k, v := range next.Raw {
			out.Raw[k] = v
		}
	}
	return out
}

// mergePtr returns a new value holding base overlaid with every non-zero
// field of over. Either may be nil.
func mergePtr[T any](base, over *T) *T {
	switch {
	case base == nil && over == nil:
		return nil
	case base == nil:
		c := *over
		return &c
	case over == nil:
		c := *base
		return &c
	}
	c := *base
	dst := reflect.ValueOf(&c).Elem()
	src := reflect.ValueOf(over).Elem()
	for i := 0; i < src.NumField(); i++ {
		if f := src.Field(i); !f.IsZero() {
			dst.Field(i).Set(f)
		}
	}
	return &c
}

func unionSorted(a, b []string) []string {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := append(append(make([]string, 0, len(a)+len(b)), a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// Equal reports whether two nodes are the same, field for field. The store
// uses it to skip writes that would change nothing.
func Equal(a, b Node) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
