package chart

import (
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// wellFormed parses svg as XML and returns its elements by name.
func wellFormed(t *testing.T, svg string) map[string][]xml.StartElement {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	out := map[string][]xml.StartElement{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			out[se.Name.Local] = append(out[se.Name.Local], se)
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestBars(t *testing.T) {
	svg := Bars("Status <&>", "Confirmed 300, waiting 50", []Bar{
		{Label: "Confirmed", Value: 300, Class: "confirmed"},
		{Label: "Waiting list", Value: 150},
		{Label: "德国 & 中国", Value: 0},
	})
	el := wellFormed(t, svg)
	if !strings.Contains(svg, "<title") || !strings.Contains(svg, "Status &lt;&amp;&gt;") || len(el["desc"]) != 1 {
		t.Errorf("title or description missing or unescaped:\n%s", svg)
	}
	if attr(el["svg"][0], "role") != "img" || attr(el["svg"][0], "aria-labelledby") == "" {
		t.Error("not labelled as an image")
	}
	var widths []float64
	for _, r := range el["rect"] {
		w, _ := strconv.ParseFloat(attr(r, "width"), 64)
		widths = append(widths, w)
	}
	if len(widths) != 3 || widths[0] <= 0 || widths[1]*2 != widths[0] || widths[2] != 0 {
		t.Errorf("bar widths %v, want proportional to 300, 150, 0", widths)
	}
	if !strings.Contains(attr(el["rect"][0], "class"), "bar-confirmed") {
		t.Error("the bar's class is missing")
	}
	if regexp.MustCompile(`\sstyle=`).MatchString(svg) {
		t.Error("a style attribute: a strict CSP blocks it")
	}
}

func TestBarsAgainstCapacity(t *testing.T) {
	svg := Bars("Sessions", "", []Bar{{Label: "Workshop", Value: 30, Of: 40}, {Label: "Over", Value: 45, Of: 40}})
	el := wellFormed(t, svg)
	if len(el["rect"]) != 4 {
		t.Fatalf("%d rects, want a track and a bar per row", len(el["rect"]))
	}
	track, bar := el["rect"][0], el["rect"][1]
	tw, _ := strconv.ParseFloat(attr(track, "width"), 64)
	bw, _ := strconv.ParseFloat(attr(bar, "width"), 64)
	if attr(track, "class") != "bar-track" || bw/tw < .74 || bw/tw > .76 {
		t.Errorf("30 of 40: track %v, bar %v", tw, bw)
	}
	if !strings.Contains(svg, "30 / 40") || !strings.Contains(svg, "45 / 40") {
		t.Error("values do not read as value / capacity")
	}
}

func TestLine(t *testing.T) {
	day := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	var pts []Point
	for i := range 10 {
		pts = append(pts, Point{At: day.AddDate(0, 0, i), Value: (i + 1) * 37})
	}
	svg := Line("Registrations", "370 by 10 March", "2.1.", pts)
	el := wellFormed(t, svg)
	if len(el["path"]) != 2 || len(el["circle"]) != 1 {
		t.Fatalf("want an area, a line and a dot: %v", el)
	}
	d := attr(el["path"][1], "d")
	if strings.Count(d, "L") != 9 || !strings.HasPrefix(d, "M") {
		t.Errorf("the line has not 10 points: %q", d)
	}
	if !strings.Contains(svg, ">1.3.<") || !strings.Contains(svg, ">400<") {
		t.Errorf("axis labels: want the first day and a top of 400:\n%s", svg)
	}
	// Nothing to draw is still a chart.
	wellFormed(t, Line("Empty", "", "2.1.", nil))
	wellFormed(t, Line("One day", "", "2.1.", pts[:1]))
}

func TestNiceCeil(t *testing.T) {
	for n, want := range map[int]int{0: 4, 3: 4, 5: 8, 37: 40, 370: 400, 1001: 2000, 99_999: 100_000} {
		if got := niceCeil(n); got != want || got%4 != 0 || got < n {
			t.Errorf("niceCeil(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	if clip("Workshop: predictive maintenance with industrial AI", 30) != "Workshop: predictive maintena…" {
		t.Errorf("%q", clip("Workshop: predictive maintenance with industrial AI", 30))
	}
	if got := clip("专题研讨：基于工业人工智能的预测性维护", 30); len([]rune(got)) != 15 {
		t.Errorf("CJK: %q", got)
	}
	if clip("China", 30) != "China" {
		t.Error("a short label changed")
	}
}
