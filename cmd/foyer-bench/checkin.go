package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// The check-in scenario: an event with checkinGuests registrations, whose
// tickets are scanned once each, mixed with repeats of tickets already
// scanned and with forged codes, from the load's clients.
const (
	checkinGuests  = 20000
	checkinRepeats = 5000
	checkinForged  = 2000
	staffEmail     = "bench-staff@example.org"
	staffPassword  = "bench-staff-password"
)

// After the closed loop, checkinOpenScans repeats of admitted tickets are
// sent at checkinOpenRate a second (an open loop), for the latency at a
// rate the door can sustain rather than at saturation.
const (
	checkinOpenRate  = 2500
	checkinOpenScans = 10000
)

// mailDrain bounds the wait for the guests' emails before the scans.
const mailDrain = 5 * time.Minute

// checkinProfileSpan is how long --profile profiles the scans.
const checkinProfileSpan = 5 * time.Second

var checkinEvent = eventSpec{slug: "bench-door", capacity: checkinGuests + 1000, sessionCapacity: 500}

// scanKind is what a scan of the mix is, and so which answer is right.
type scanKind int

const (
	scanFirst  scanKind = iota // a ticket's first scan in the mix
	scanRepeat                 // the same ticket again
	scanForged                 // a genuine code with one character changed
)

// scanItem is one scan of the mix.
type scanItem struct {
	code string
	kind scanKind
	of   int // index of the ticket
}

// runCheckin registers the guests (not measured), then measures POST
// /api/v1/checkin and checks every answer: each ticket admitted exactly
// once, every other scan of it "already_checked_in", every forged code
// "invalid"; and then that the stats count every guest in.
func runCheckin(ctx context.Context, b *bench) (outcome, error) {
	f, a, err := b.organiserAPI(ctx)
	if err != nil {
		return outcome{}, err
	}
	client := newLoadClient(b.opts.clients)
	defer client.CloseIdleConnections()
	ev, err := createEvent(ctx, a, checkinEvent)
	if err != nil {
		return outcome{}, err
	}
	reg := registrant{client: client, url: f.URL + "/api/v1/events/" + ev.slug + "/registrations", tag: "door", event: ev}
	setup := load{clients: b.opts.clients, max: checkinGuests, duration: 5 * time.Minute, do: reg.register}.run(ctx)
	if setup.OK != checkinGuests {
		return outcome{}, fmt.Errorf("registering the guests: %d of %d (%s)", setup.OK, checkinGuests, setup.FailureText())
	}
	codes, err := ticketCodes(ctx, a, ev.slug)
	if err != nil {
		return outcome{}, err
	}
	if len(codes) != checkinGuests {
		return outcome{}, fmt.Errorf("%d ticket codes listed, want %d", len(codes), checkinGuests)
	}
	staff, err := b.staffToken(ctx)
	if err != nil {
		return outcome{}, err
	}
	mix := scanMix(codes)
	s := scanner{client: client, url: f.URL + "/api/v1/checkin", event: ev.slug,
		header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + staff}}}
	bodies := s.bodies(mix, "bench")
	// Tickets are scanned weeks after their emails went out: the
	// confirmations of these registrations (and of any scenario before)
	// are sent first, so that the scans do not share the CPUs with them.
	mailed := b.sink.Wait(ctx, "door", checkinGuests, mailDrain).Messages
	// The floor beside the scans, so that their latency can be read
	// against what the least work per request gets on this machine.
	floor, err := b.startInsertFloor(ctx, "checkin", ev)
	if err != nil {
		return outcome{}, err
	}
	defer floor.proc.stop()

	// Every answer, by ticket, to check after the load.
	var mu sync.Mutex
	oks := make([]int, len(codes))
	wrong := map[string]int{}
	cpu := startCPU(f.PID())
	// The first seconds of the scans; the profile's span is fixed when it
	// starts, and the scans end when the mix is through.
	prof := b.startProfiles(ctx, f, "checkin", checkinProfileSpan)
	res := load{clients: b.opts.clients, max: len(mix), duration: 10 * time.Minute, do: func(ctx context.Context, i int) (string, bool) {
		item := mix[i-1]
		result, err := s.scan(ctx, bodies[i-1])
		if err != nil {
			return err.Error(), false
		}
		mu.Lock()
		defer mu.Unlock()
		switch {
		case item.kind == scanForged && result != "invalid":
			wrong["forged code answered "+result]++
		case item.kind != scanForged && result == "ok":
			oks[item.of]++
		case item.kind != scanForged && result != "already_checked_in":
			wrong["genuine ticket answered "+result]++
		}
		return result, true
	}}.run(ctx)
	share, cpuOK := cpu.stop()
	b.profileDone(ctx, prof)
	floor.finish(ctx, b)
	openMix := make([]scanItem, checkinOpenScans)
	for i := range openMix {
		openMix[i] = scanItem{code: codes[i], kind: scanRepeat, of: i}
	}
	openBodies := s.bodies(openMix, "bench-open")
	open := openLoad{rate: checkinOpenRate, count: len(openMix), do: func(ctx context.Context, i int) (string, bool) {
		result, err := s.scan(ctx, openBodies[i-1])
		if err != nil {
			return err.Error(), false
		}
		if result != "already_checked_in" {
			mu.Lock()
			wrong["admitted ticket answered "+result+" in the open loop"]++
			mu.Unlock()
		}
		return result, true
	}}.run(ctx)
	if ctx.Err() != nil {
		return outcome{}, ctx.Err()
	}
	for _, n := range oks {
		if n != 1 {
			wrong[fmt.Sprintf("ticket admitted %d times", n)]++
		}
	}
	var stats struct {
		CheckedIn int `json:"checked_in"`
	}
	sa := &api{base: f.URL, token: staff, client: a.client}
	if err := sa.call(ctx, http.MethodGet, "/api/v1/events/"+ev.slug+"/checkin/stats", nil, http.StatusOK, &stats); err != nil {
		return outcome{}, err
	}
	if stats.CheckedIn != checkinGuests {
		wrong[fmt.Sprintf("stats count %d checked in, want %d", stats.CheckedIn, checkinGuests)]++
	}
	wrongTotal := 0
	var wrongText []string
	for k, n := range wrong {
		wrongTotal += n
		wrongText = append(wrongText, fmt.Sprintf("%d× %s", n, k))
	}

	rate := res.Rate()
	p50, p99 := res.Percentile(0.50), res.Percentile(0.99)
	detail := fmt.Sprintf("%s scans (%s tickets, %s repeats, %s forged) in %.1f s",
		thousands(res.Requests), thousands(checkinGuests), thousands(checkinRepeats), thousands(checkinForged), res.Elapsed.Seconds())
	if t := res.Trend(); t != "" {
		detail += " (" + t + ")"
	}
	if cpuOK {
		detail += "; " + share.String()
	}
	if mailed < checkinGuests {
		detail += fmt.Sprintf("; %s of the guests' emails were still being sent", thousands(checkinGuests-mailed))
	}
	floorRate := floor.res.Rate()
	var rows []Result
	if floor.hello != nil {
		rows = append(rows, *floor.hello)
	}
	rows = append(rows,
		measured("checkin", "scans/s", rate, "scans/s", perSecond(rate, "scans/s"), atLeast(5000, "≥ 5,000/s")),
		measured("checkin", "latency p99", msValue(p99), "ms", ms(p99), atMost(20, "≤ 20 ms")),
		info("checkin", "latency p50", msValue(p50), "ms", ms(p50)),
		info("checkin", "floor: echo + 1 insert", floorRate, "requests/s", perSecond(floorRate, "req/s")),
		info("checkin", fmt.Sprintf("latency p99 at %s/s", thousands(checkinOpenRate)), msValue(open.Percentile(0.99)), "ms", ms(open.Percentile(0.99))),
		mustHold("checkin", "errors", float64(res.Errors()+open.Errors()), "requests", thousands(res.Errors()+open.Errors()), exactly(0, "0")),
		mustHold("checkin", "wrong answers", float64(wrongTotal), "scans", thousands(wrongTotal), exactly(0, "0")),
	)
	first := len(rows) - 7
	rows[first].Detail = detail
	rows[first+1].Detail = "the floor's p99 in the same run: " + ms(floor.res.Percentile(0.99))
	rows[first+3].Detail = "JSON decode and one INSERT, half before and half after the scans: " + floor.text()
	openText := fmt.Sprintf("%s repeats of admitted tickets sent at %s/s whatever the answers (open loop), latency from when each was due: p50 %s, p99 %s, max %s",
		thousands(open.Requests), thousands(checkinOpenRate), ms(open.Percentile(0.50)), ms(open.Percentile(0.99)), ms(open.Percentile(1)))
	rows[first+4].Detail = openText
	failures := slices.DeleteFunc([]string{res.FailureText(), open.FailureText()}, func(f string) bool { return f == "" })
	rows[first+5].Detail = strings.Join(failures, "; ")
	rows[first+6].Detail = strings.Join(wrongText, "; ")
	if floor.res.Errors() > 0 {
		rows[first+3].Status = statusError
	}
	line := fmt.Sprintf("%s, p50 %s, p99 %s, %d errors, %d wrong answers (%s); floor %s; %s", perSecond(rate, "scans/s"), ms(p50), ms(p99),
		res.Errors()+open.Errors(), wrongTotal, detail, floor.text(), openText)
	if floor.hello != nil {
		line += "; bare echo handler " + floor.hello.Detail
	}
	if len(wrongText) > 0 {
		line += "; WRONG: " + strings.Join(wrongText, "; ")
	}
	return outcome{line: line, results: rows, figures: floor.figures}, nil
}

// scanMix is every ticket once, in registration order, with a repeat of an
// earlier ticket after every fourth scan and a forged code after every
// tenth: a door where some guests come back and a few try their luck.
func scanMix(codes []string) []scanItem {
	mix := make([]scanItem, 0, len(codes)+checkinRepeats+checkinForged)
	repeats, forged := 0, 0
	for i, code := range codes {
		mix = append(mix, scanItem{code: code, kind: scanFirst, of: i})
		if i%4 == 3 && repeats < checkinRepeats {
			j := (i * 7919) % (i + 1) // some earlier ticket, spread out
			mix = append(mix, scanItem{code: codes[j], kind: scanRepeat, of: j})
			repeats++
		}
		if i%10 == 9 && forged < checkinForged {
			mix = append(mix, scanItem{code: forge(code), kind: scanForged, of: i})
			forged++
		}
	}
	return mix
}

// forge changes one character of a code's signature.
func forge(code string) string {
	b := []byte(code)
	at := len(b) - 5
	if b[at] == 'A' {
		b[at] = 'B'
	} else {
		b[at] = 'A'
	}
	return string(b)
}

// scanner sends scans as a check-in device does. Its own CPU counts
// against the machine foyer runs on, so the bodies are made before the
// scans, answers are read into reused buffers, and the result is taken
// from where foyer puts it (the answer's first member) without decoding
// the rest; an answer shaped otherwise is decoded in full.
type scanner struct {
	client *http.Client
	url    string
	event  string
	header http.Header // shared by every request, never changed
	bufs   sync.Pool
}

// bodies encodes the body of each scan of mix, numbered from 1 as the
// load numbers its requests; each has a nonce of its own that starts with
// prefix.
func (s *scanner) bodies(mix []scanItem, prefix string) [][]byte {
	out := make([][]byte, len(mix))
	for k, item := range mix {
		i := k + 1
		out[k], _ = json.Marshal(map[string]any{"event": s.event, "code": item.code, "device": fmt.Sprintf("bench %d", i%64),
			"nonce": fmt.Sprintf("%s-%d", prefix, i)})
	}
	return out
}

// resultPrefix is how foyer's answer to a scan begins.
var resultPrefix = []byte(`{"result":"`)

func (s *scanner) scan(ctx context.Context, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header = s.header
	resp, err := s.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%s", errorOutcome(err))
	}
	buf, _ := s.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer s.bufs.Put(buf)
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", fmt.Errorf("%s", errorOutcome(err))
	}
	data := buf.Bytes()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%d %s", resp.StatusCode, errorCode(data))
	}
	if rest, ok := bytes.CutPrefix(data, resultPrefix); ok && bytes.HasSuffix(data, []byte("}\n")) {
		if end := bytes.IndexByte(rest, '"'); end > 0 && !bytes.ContainsAny(rest[:end], "\\") {
			return resultName(rest[:end]), nil
		}
	}
	var a struct {
		Result string `json:"result"`
	}
	if err := json.Unmarshal(data, &a); err != nil || a.Result == "" {
		return "", fmt.Errorf("200 without a result")
	}
	return a.Result, nil
}

// resultName returns the result as a string, without allocating for the
// answers a scan can get.
func resultName(b []byte) string {
	switch string(b) {
	case "ok":
		return "ok"
	case "already_checked_in":
		return "already_checked_in"
	case "invalid":
		return "invalid"
	}
	return string(b)
}

// ticketCodes lists an event's ticket codes in registration order, through
// the organiser API.
func ticketCodes(ctx context.Context, a *api, slug string) ([]string, error) {
	const limit = 1000
	var codes []string
	for offset := 0; ; offset += limit {
		var page struct {
			Registrations []struct {
				TicketCode string `json:"ticket_code"`
			} `json:"registrations"`
		}
		q := url.Values{"limit": {fmt.Sprint(limit)}, "offset": {fmt.Sprint(offset)}}
		if err := a.call(ctx, http.MethodGet, "/api/v1/events/"+url.PathEscape(slug)+"/registrations?"+q.Encode(), nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		for _, r := range page.Registrations {
			codes = append(codes, r.TicketCode)
		}
		if len(page.Registrations) < limit {
			return codes, nil
		}
	}
}

// staffToken returns an API token of a staff member on the shared instance.
func (b *bench) staffToken(ctx context.Context) (string, error) {
	f, err := b.instance(ctx)
	if err != nil {
		return "", err
	}
	if _, err := f.Command(ctx, staffPassword+"\n", "user", "add", "--email", staffEmail, "--name", "Bench Staff", "--role", "staff"); err != nil {
		return "", err
	}
	out, err := f.Command(ctx, "", "token", "create", "--email", staffEmail)
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(out)
	if token == "" || strings.ContainsAny(token, " \n") {
		return "", fmt.Errorf("foyer token create printed %q, want one token", out)
	}
	return token, nil
}
