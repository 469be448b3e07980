//go:build linux

package main

import (
	"os"
	"testing"
)

func TestProcReadings(t *testing.T) {
	hwm, rss, err := procStatus(os.Getpid())
	if err != nil || hwm <= 0 || rss <= 0 || rss > hwm {
		t.Errorf("procStatus: hwm %d rss %d, %v", hwm, rss, err)
	}
	if _, err := cpuTime(os.Getpid()); err != nil {
		t.Errorf("cpuTime: %v", err)
	}
}
