//go:build race

package twittertest_test

func init() { raceEnabled = true }
