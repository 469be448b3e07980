//go:build !linux

package main

// Without Linux's /proc the bench cannot read a server's memory or CPU
// time: the figures that need them are reported as unavailable.

import (
	"fmt"
	"runtime"
	"time"
)

func procUnavailable() error {
	return fmt.Errorf("%w on %s (the bench reads it from Linux's /proc)", errUnavailable, runtime.GOOS)
}

func procStatus(int) (hwm, rss int64, err error) { return 0, 0, procUnavailable() }

func cpuTime(int) (time.Duration, error) { return 0, procUnavailable() }

func rssSplit(int) string { return "" }

func cpuModel() string { return "" }
