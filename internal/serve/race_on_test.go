//go:build race

package serve

// raceEnabled: the tests run with -race, where the session loads take
// minutes; .ci/run runs them without it.
const raceEnabled = true
