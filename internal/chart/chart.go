// Package chart draws small charts as SVG on the server, for pages that
// must show figures without a script and print them: horizontal bars (one
// value per row, or a value against a capacity) and a line over time.
//
// A chart is SVG markup to put inline into a page. It carries a title and a
// description (the text alternative a screen reader reads) and draws with
// presentation attributes and class names only, no style attributes, so a
// Content-Security-Policy without 'unsafe-inline' lets it through; colours
// come from the classes (bar, bar-track, line, area, grid, axis, label,
// value) or from a bar's Class. It imports nothing of foyer: labels come
// translated, numbers come counted.
package chart

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"time"
)

// Width is the width of every chart's coordinate system; the page scales
// it to the space it has.
const Width = 640

// Bar is one row of a bar chart.
type Bar struct {
	Label string
	Value int
	// Of is the row's capacity: the bar is drawn against a track of that
	// length and the value reads "Value / Of". 0: no capacity.
	Of int
	// Class colours the bar (a status, a kind); "" is the default colour.
	Class string
}

// Bars draws a horizontal bar chart: a row per bar, its label on the left
// and its value on the right of a line above the bar, so that long labels
// and Chinese ones keep the whole width and a phone can set the text
// larger (the .label and .value classes). Bars without capacity are scaled
// to the largest value; bars with one to their own capacity.
func Bars(title, desc string, bars []Bar) string {
	const textH, barH, gap = 30, 18, 12
	const rowH = textH + barH + gap
	height := len(bars)*rowH + gap/2
	most := 0
	for _, b := range bars {
		most = max(most, b.Value, b.Of)
	}
	var sb strings.Builder
	open(&sb, title, desc, height)
	for i, b := range bars {
		y := i * rowH
		scale := float64(max(most, 1))
		if b.Of > 0 {
			scale = float64(max(b.Of, b.Value))
		}
		value := strconv.Itoa(b.Value)
		if b.Of > 0 {
			value += " / " + strconv.Itoa(b.Of)
		}
		// Label and value share the line: the label gives way to the value.
		fmt.Fprintf(&sb, `<text class="label" x="0" y="%d">%s</text>`, y+textH-8, esc(clip(b.Label, 44-2*len(value))))
		fmt.Fprintf(&sb, `<text class="value" x="%d" y="%d" text-anchor="end">%s</text>`, Width, y+textH-8, esc(value))
		if b.Of > 0 {
			fmt.Fprintf(&sb, `<rect class="bar-track" x="0" y="%d" width="%s" height="%d" rx="3"/>`,
				y+textH, num(Width*float64(b.Of)/scale), barH)
		}
		class := "bar"
		if b.Class != "" {
			class += " bar-" + b.Class
		}
		fmt.Fprintf(&sb, `<rect class="%s" x="0" y="%d" width="%s" height="%d" rx="3"/>`,
			esc(class), y+textH, num(Width*float64(b.Value)/scale), barH)
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

// Point is a value at a time.
type Point struct {
	At    time.Time
	Value int
}

// Line draws values over time as a line over a filled area, with a value
// axis from 0 and date labels in layout (a Go time layout, "2.1." or
// "1/2"), at most six of them. Points must be in time order.
func Line(title, desc, layout string, points []Point) string {
	const height, left, right, top, bottom = 240, 52, 16, 14, 30
	var sb strings.Builder
	open(&sb, title, desc, height)
	plotW, plotH := float64(Width-left-right), float64(height-top-bottom)
	if len(points) == 0 {
		sb.WriteString(`</svg>`)
		return sb.String()
	}
	first, last := points[0].At, points[len(points)-1].At
	span := last.Sub(first)
	if span <= 0 {
		span = 24 * time.Hour
		first = first.Add(-span)
	}
	most := 0
	for _, p := range points {
		most = max(most, p.Value)
	}
	top1 := niceCeil(most)
	x := func(t time.Time) float64 { return float64(left) + plotW*float64(t.Sub(first))/float64(span) }
	y := func(v int) float64 { return float64(top) + plotH - plotH*float64(v)/float64(top1) }
	// Grid lines and the value axis: 0, ¼, ½, ¾ and the top.
	for i := 0; i <= 4; i++ {
		v := top1 * i / 4
		fmt.Fprintf(&sb, `<line class="grid" x1="%d" y1="%s" x2="%d" y2="%s"/>`, left, num(y(v)), Width-right, num(y(v)))
		fmt.Fprintf(&sb, `<text class="axis" x="%d" y="%s" text-anchor="end" dominant-baseline="central">%d</text>`, left-6, num(y(v)), v)
	}
	// Date labels.
	// Whole days up to five get a label each; otherwise six labels, of
	// which those that read as the one before are left out.
	ticks := 6
	if days := span.Hours() / 24; days >= 1 && days <= 5 && days == math.Trunc(days) {
		ticks = int(days) + 1
	}
	prev := ""
	for i := 0; i < ticks; i++ {
		t := first.Add(time.Duration(float64(span) * float64(i) / float64(ticks-1)))
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case ticks - 1:
			anchor = "end"
		}
		if label := t.Format(layout); label != prev {
			fmt.Fprintf(&sb, `<text class="axis" x="%s" y="%d" text-anchor="%s">%s</text>`, num(x(t)), height-8, anchor, esc(label))
			prev = label
		}
	}
	var line, area strings.Builder
	fmt.Fprintf(&area, "M%s %s", num(x(points[0].At)), num(y(0)))
	for i, p := range points {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&line, "%s%s %s ", cmd, num(x(p.At)), num(y(p.Value)))
		fmt.Fprintf(&area, " L%s %s", num(x(p.At)), num(y(p.Value)))
	}
	fmt.Fprintf(&area, " L%s %s Z", num(x(last)), num(y(0)))
	fmt.Fprintf(&sb, `<path class="area" d="%s"/>`, area.String())
	fmt.Fprintf(&sb, `<path class="line" d="%s" fill="none"/>`, strings.TrimSpace(line.String()))
	lastP := points[len(points)-1]
	fmt.Fprintf(&sb, `<circle class="dot" cx="%s" cy="%s" r="4"/>`, num(x(lastP.At)), num(y(lastP.Value)))
	sb.WriteString(`</svg>`)
	return sb.String()
}

// open starts an SVG with its title and description, which name it for
// screen readers (role img, labelled by both).
func open(sb *strings.Builder, title, desc string, height int) {
	id := "c" + strconv.FormatUint(uint64(hash(title+desc)), 36)
	fmt.Fprintf(sb, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-t %s-d">`,
		Width, height, Width, height, id, id)
	fmt.Fprintf(sb, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten, at least 4, so
// that quarters of the axis are whole numbers.
func niceCeil(n int) int {
	if n <= 4 {
		return 4
	}
	p := math.Pow(10, math.Floor(math.Log10(float64(n))))
	for _, m := range []float64{1, 2, 4, 5, 10} {
		if v := int(m * p); v >= n && v%4 == 0 {
			return v
		}
	}
	return (n + 3) / 4 * 4
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

func esc(s string) string { return html.EscapeString(s) }

// clip shortens a label to about n Latin letters' width with an ellipsis;
// a CJK character is as wide as two.
func clip(s string, n int) string {
	w := 0
	for i, r := range s {
		w++
		if r >= 0x2E80 {
			w++
		}
		if w > n-1 {
			if rest := s[i:]; len([]rune(rest)) <= 1 {
				return s
			}
			return s[:i] + "…"
		}
	}
	return s
}

// hash is FNV-1a, for ids that differ between the charts of a page.
func hash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
