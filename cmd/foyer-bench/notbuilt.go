package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// runExport stands for the attendee export targets (100,000 rows), whose
// feature foyer does not have yet. It asks the server whether the route
// answers, so that the table says when this tool needs a real scenario; it
// never makes up a number.
func runExport(ctx context.Context, b *bench) (outcome, error) {
	csv, err := probeFeature(ctx, b, "export", "CSV, 100,000 rows", "≤ 2 s, ≤ 150 MB", http.MethodGet, "/api/v1/events/"+demoSlug+"/attendees.csv")
	if err != nil {
		return outcome{}, err
	}
	xlsx, err := probeFeature(ctx, b, "export", "XLSX, 100,000 rows", "≤ 10 s, ≤ 150 MB", http.MethodGet, "/api/v1/events/"+demoSlug+"/attendees.xlsx")
	if err != nil {
		return outcome{}, err
	}
	return outcome{line: fmt.Sprintf("CSV %s, XLSX %s", csv.Measured, xlsx.Measured), results: []Result{csv, xlsx}}, nil
}

// probeFeature sends an unauthenticated request to the feature's route: 404
// means it is not built; anything else (401, 403) means it exists and this
// tool lacks a scenario for it.
func probeFeature(ctx context.Context, b *bench, scenario, metric, targetText, method, path string) (Result, error) {
	f, err := b.instance(ctx)
	if err != nil {
		return Result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, method, f.URL+path, nil)
	if err != nil {
		return Result{}, err
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return Result{}, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	r := Result{Scenario: scenario, Metric: metric, Target: targetText}
	if resp.StatusCode == http.StatusNotFound {
		r.Measured, r.Status = "not built yet", statusNotBuilt
		r.Detail = fmt.Sprintf("%s %s answers 404", method, path)
	} else {
		r.Measured, r.Status = "not measured", statusTodo
		r.Detail = fmt.Sprintf("%s %s answers %d: the feature exists, foyer-bench needs a scenario for it", method, path, resp.StatusCode)
	}
	return r, nil
}
