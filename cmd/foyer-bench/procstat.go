package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of CPU times in /proc/PID/stat. It is 100
// on every Linux architecture Go supports.
const clockTick = 100

// rss returns the resident set size of a process from /proc/PID/status.
func rss(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read VmRSS: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest) // "12345 kB"
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				if err == nil {
					return kb * 1024, nil
				}
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// cpuTime returns the user plus system CPU time a process has used, from
// /proc/PID/stat ("self" for this process).
func cpuTime(pid string) (time.Duration, error) {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name in parentheses may hold spaces; fields count from
	// after it, where field 3 (state) is index 0.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc/%s/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%s/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/%s/stat", pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTick, nil
}

// cpuMeter measures how many cores foyer and this tool used over a span.
type cpuMeter struct {
	pid         string
	started     time.Time
	foyer, self time.Duration
	ok          bool
}

// startCPU takes the first reading for foyer's process pid.
func startCPU(pid int) *cpuMeter {
	m := &cpuMeter{pid: strconv.Itoa(pid), started: time.Now()}
	var err1, err2 error
	m.foyer, err1 = cpuTime(m.pid)
	m.self, err2 = cpuTime("self")
	m.ok = err1 == nil && err2 == nil
	return m
}

// CPUShare is the average number of cores each side used; the tool's side
// holds the HTTP clients and the SMTP sink.
type CPUShare struct {
	Foyer float64 `json:"foyer_cores"`
	Bench float64 `json:"bench_cores"`
}

// stop takes the second reading; ok is false where /proc is missing.
func (m *cpuMeter) stop() (share CPUShare, ok bool) {
	foyer, err1 := cpuTime(m.pid)
	self, err2 := cpuTime("self")
	wall := time.Since(m.started).Seconds()
	if !m.ok || err1 != nil || err2 != nil || wall <= 0 {
		return CPUShare{}, false
	}
	return CPUShare{Foyer: (foyer - m.foyer).Seconds() / wall, Bench: (self - m.self).Seconds() / wall}, true
}

// String reads like "CPU foyer 1.31 + bench 0.62 cores".
func (c CPUShare) String() string {
	return fmt.Sprintf("CPU foyer %.2f + bench %.2f cores", c.Foyer, c.Bench)
}
