package index

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestNth checks nth against a sort, on random, sorted, reversed and
// nearly constant input of many lengths, for every k.
func TestNth(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := map[string]func(n int) []int{
		"random":   func(n int) []int { return randInts(rng, n, 1000) },
		"few keys": func(n int) []int { return randInts(rng, n, 3) },
		"sorted": func(n int) []int {
			s := randInts(rng, n, 1000)
			slices.Sort(s)
			return s
		},
		"reversed": func(n int) []int {
			s := randInts(rng, n, 1000)
			slices.Sort(s)
			slices.Reverse(s)
			return s
		},
	}
	for name, gen := range inputs {
		for n := 1; n <= 70; n++ {
			for k := range n {
				s := gen(n)
				want := slices.Clone(s)
				slices.Sort(want)
				nth(s, k, cmp.Compare[int])
				if s[k] != want[k] {
					t.Fatalf("%s, %d elements, k=%d: s[k] is %d, want %d", name, n, k, s[k], want[k])
				}
				for i := range s {
					if i < k && s[i] > s[k] || i > k && s[i] < s[k] {
						t.Fatalf("%s, %d elements, k=%d: s[%d] = %d on the wrong side of %d", name, n, k, i, s[i], s[k])
					}
				}
				slices.Sort(s)
				if !slices.Equal(s, want) {
					t.Fatalf("%s, %d elements, k=%d: elements changed", name, n, k)
				}
			}
		}
	}
}

func randInts(rng *rand.Rand, n, limit int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = rng.IntN(limit)
	}
	return s
}
