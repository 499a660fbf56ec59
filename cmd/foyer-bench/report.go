package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Statuses of a result row.
const (
	statusPass  = "pass"
	statusFail  = "FAIL"  // measured, target missed
	statusError = "ERROR" // errors, oversold, or could not measure
	statusInfo  = "info"  // measured, no target
)

// Result is one row of the table: a measured value and its target.
type Result struct {
	Scenario string   `json:"scenario"`
	Metric   string   `json:"metric"`
	Value    *float64 `json:"value,omitempty"`
	Unit     string   `json:"unit,omitempty"`
	Measured string   `json:"measured"`
	Target   string   `json:"target,omitempty"`
	Status   string   `json:"status"`
	Detail   string   `json:"detail,omitempty"`
}

// target is a bound a measured value must keep.
type target struct {
	op    string // ">=", "<=" or "=="
	bound float64
	text  string // as the table shows it, e.g. "≥ 10,000/s"
}

func atLeast(bound float64, text string) target { return target{">=", bound, text} }
func atMost(bound float64, text string) target  { return target{"<=", bound, text} }
func exactly(bound float64, text string) target { return target{"==", bound, text} }

func (t target) met(v float64) bool {
	switch t.op {
	case ">=":
		return v >= t.bound
	case "<=":
		return v <= t.bound
	default:
		return v == t.bound
	}
}

// measured makes a row for a value with a target; a missed target is a
// FAIL.
func measured(scenario, metric string, v float64, unit, shown string, t target) Result {
	r := Result{Scenario: scenario, Metric: metric, Value: &v, Unit: unit, Measured: shown, Target: t.text, Status: statusPass}
	if !t.met(v) {
		r.Status = statusFail
	}
	return r
}

// mustHold makes a row for a correctness figure (errors, oversold places):
// missing its target is an ERROR, not a slow result.
func mustHold(scenario, metric string, v float64, unit, shown string, t target) Result {
	r := measured(scenario, metric, v, unit, shown, t)
	if r.Status == statusFail {
		r.Status = statusError
	}
	return r
}

// info makes a row without a target.
func info(scenario, metric string, v float64, unit, shown string) Result {
	return Result{Scenario: scenario, Metric: metric, Value: &v, Unit: unit, Measured: shown, Status: statusInfo}
}

// Report is the JSON summary of a run.
type Report struct {
	Tool      string           `json:"tool"`
	Started   time.Time        `json:"started"`
	Machine   Machine          `json:"machine"`
	Foyer     FoyerInfo        `json:"foyer"`
	Clients   int              `json:"clients"`
	Note      string           `json:"note"`
	Figures                    // the headline numbers and ratios, at the top level
	Scenarios []ScenarioReport `json:"scenarios"`
	Results   []Result         `json:"results"`
	Problems  []string         `json:"problems,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	Go         string `json:"go"`
	// LoadAvg is the one-minute load average when the run began: above
	// the number of CPUs, other work competed with the measurement.
	LoadAvg float64 `json:"load_average"`
}

// FoyerInfo names the binary that was measured.
type FoyerInfo struct {
	Binary  string `json:"binary"`
	Version string `json:"version"`
}

// ScenarioReport is a scenario's one-line summary.
type ScenarioReport struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	Line    string  `json:"line,omitempty"`
	Error   string  `json:"error,omitempty"`
	// One-minute load averages when the scenario began and ended.
	LoadBefore float64 `json:"load_average_before"`
	LoadAfter  float64 `json:"load_average_after"`
}

// has reports whether any row has that status.
func (r *Report) has(status string) bool {
	for _, res := range r.Results {
		if res.Status == status {
			return true
		}
	}
	return false
}

// print writes the table of results and the problems.
func (r *Report) print(w io.Writer) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tMETRIC\tMEASURED\tTARGET\tRESULT\tDETAIL")
	for _, res := range r.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", res.Scenario, res.Metric, res.Measured, orDash(res.Target), res.Status, res.Detail)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%s.\n", strings.ToUpper(r.Note[:1])+r.Note[1:])
	for _, p := range r.Problems {
		fmt.Fprintf(w, "PROBLEM: %s\n", p)
	}
}

// writeJSON writes the report to path.
func (r *Report) writeJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Formatting helpers for the MEASURED column.

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func msValue(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mb(bytes int64) string { return fmt.Sprintf("%.1f MB", float64(bytes)/(1<<20)) }

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func perSecond(rate float64, unit string) string {
	return thousands(int(rate+0.5)) + " " + unit
}
