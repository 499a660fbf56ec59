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
func rss(pid int) (int64, error) { return procStatus(pid, "VmRSS") }

// procStatus reads a size in kB from /proc/PID/status (VmRSS, VmHWM).
func procStatus(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", field, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest) // "12345 kB"
			if len(f) == 2 && f[1] == "kB" {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				if err == nil {
					return kb * 1024, nil
				}
			}
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// resetPeakRSS sets a process's VmHWM, the kernel's own record of its
// highest RSS, back to its RSS now (/proc/PID/clear_refs, value 5), so that
// VmHWM read later is the peak of what happened in between, including
// spikes shorter than a sampling interval. false where that is not allowed.
func resetPeakRSS(pid int) bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
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

// machineBusy returns the CPU time all processes of the machine have used
// (user, nice, system, irq, softirq, steal), from /proc/stat.
func machineBusy() (time.Duration, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("unexpected /proc/stat")
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unexpected /proc/stat")
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTick, nil
}

// loadAvg returns the one-minute load average from /proc/loadavg, -1 where
// there is none.
func loadAvg() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// cpuMeter measures how many cores foyer, this tool and everything else on
// the machine used over a span.
type cpuMeter struct {
	pid                  string
	started              time.Time
	foyer, self, machine time.Duration
	ok, machineOK        bool
}

// startCPU takes the first reading for foyer's process pid.
func startCPU(pid int) *cpuMeter {
	m := &cpuMeter{pid: strconv.Itoa(pid), started: time.Now()}
	var err1, err2, err3 error
	m.foyer, err1 = cpuTime(m.pid)
	m.self, err2 = cpuTime("self")
	m.machine, err3 = machineBusy()
	m.ok = err1 == nil && err2 == nil
	m.machineOK = err3 == nil
	return m
}

// CPUShare is the average number of cores each side used; the tool's side
// holds the HTTP clients and the SMTP sink. Others is what every other
// process on the machine used meanwhile: other work on a shared machine,
// which makes the figures of that run lower than they would be.
type CPUShare struct {
	Foyer  float64 `json:"foyer_cores"`
	Bench  float64 `json:"bench_cores"`
	Others float64 `json:"others_cores"`
}

// stop takes the second reading; ok is false where /proc is missing.
func (m *cpuMeter) stop() (share CPUShare, ok bool) {
	foyer, err1 := cpuTime(m.pid)
	self, err2 := cpuTime("self")
	machine, err3 := machineBusy()
	wall := time.Since(m.started).Seconds()
	if !m.ok || err1 != nil || err2 != nil || wall <= 0 {
		return CPUShare{}, false
	}
	share = CPUShare{Foyer: (foyer - m.foyer).Seconds() / wall, Bench: (self - m.self).Seconds() / wall}
	if m.machineOK && err3 == nil {
		share.Others = max(0, (machine-m.machine).Seconds()/wall-share.Foyer-share.Bench)
	}
	return share, true
}

// String reads like "CPU foyer 1.31 + bench 0.62 + others 0.05 cores".
func (c CPUShare) String() string { return c.named("foyer") }

// named is String with another name for the measured process.
func (c CPUShare) named(name string) string {
	return fmt.Sprintf("CPU %s %.2f + bench %.2f + others %.2f cores", name, c.Foyer, c.Bench, c.Others)
}

// rssPeak samples the resident memory of a process every interval until
// stopped, and keeps the highest reading.
type rssPeak struct {
	stopc chan struct{}
	done  chan struct{}
	peak  int64
	err   error
}

func watchRSS(pid int, interval time.Duration) *rssPeak {
	w := &rssPeak{stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			n, err := rss(pid)
			if err != nil {
				w.err = err
				return
			}
			w.peak = max(w.peak, n)
			select {
			case <-w.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// stop ends the sampling and returns the peak.
func (w *rssPeak) stop() (int64, error) {
	close(w.stopc)
	<-w.done
	return w.peak, w.err
}

// per reads like "foyer 182 µs + bench 61 µs of CPU a registration": the
// work each side did for one of n things done in wall. Unlike a rate it
// stays meaningful when other work on the machine slows the run down.
func (c CPUShare) per(name string, wall time.Duration, n int, thing string) string {
	if n == 0 {
		return ""
	}
	each := func(cores float64) float64 { return cores * wall.Seconds() / float64(n) * 1e6 }
	return fmt.Sprintf("%s %.0f µs + bench %.0f µs of CPU a %s", name, each(c.Foyer), each(c.Bench), thing)
}
