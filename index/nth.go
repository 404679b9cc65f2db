package index

// nth reorders s so that s[k] is the element that sorting s by cmp would
// put there, with none after it ordered before it and none before it
// ordered after it: a quickselect, about 2–3 comparisons an element where
// a sort takes log2(len(s)). datedTop trims with it: a search whose hits
// come in date order (a timeline imported newest first, read oldest first)
// improves the page with nearly every hit, and sorting what it kept each
// time was most of such a search.
func nth[E any](s []E, k int, cmp func(a, b E) int) {
	lo, hi := 0, len(s)-1
	for lo < hi {
		// The median of the first, middle and last as the pivot: already
		// sorted input, the case above, then splits in halves.
		mid := lo + (hi-lo)/2
		if cmp(s[mid], s[lo]) < 0 {
			s[mid], s[lo] = s[lo], s[mid]
		}
		if cmp(s[hi], s[lo]) < 0 {
			s[hi], s[lo] = s[lo], s[hi]
		}
		if cmp(s[hi], s[mid]) < 0 {
			s[hi], s[mid] = s[mid], s[hi]
		}
		p := s[mid]
		i, j := lo, hi
		for i <= j {
			for cmp(s[i], p) < 0 {
				i++
			}
			for cmp(s[j], p) > 0 {
				j--
			}
			if i <= j {
				s[i], s[j] = s[j], s[i]
				i++
				j--
			}
		}
		// s[lo:j+1] are at most p, s[i:hi+1] at least p, and those
		// between, if any, equal to it.
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}
