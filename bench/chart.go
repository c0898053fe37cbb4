package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
)

// pathColors are the series colours, one per path in pathOrder.
var pathColors = [...]string{"#6b7280", "#f59e0b", "#2563eb", "#16a34a"}

// barChart is one panel of grouped bars: Values[group][series].
type barChart struct {
	Title  string
	Unit   string
	Groups []string
	Series []string
	Colors []string
	Values [][]float64
	// Log draws a log10 axis, for panels where an overloaded path is a
	// thousand times slower than the rest.
	Log bool
}

const (
	chartW   = 900
	panelH   = 300
	legendH  = 40
	marginL  = 70
	marginR  = 20
	marginT  = 40
	marginB  = 40
	headerH  = 50
	barGapPx = 4
)

// chartSVG draws the run as a hand-written SVG: throughput by concurrency
// per path, latency percentiles at concurrency 1, and open-loop latency.
func chartSVG(r *Results) []byte {
	series := pathOrder[:]
	panels := []barChart{throughputChart(r, series), serialChart(r, series), openLoopChart(r, series), streamChart(r, series), memoryChart(r)}
	height := headerH + legendH + len(panels)*panelH
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", chartW, height, chartW, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="28" font-size="18" font-weight="bold">Routex bench, %s (%d CPUs, %s), body %d bytes, request logging on</text>`+"\n",
		marginL, esc(r.Started.Format("2006-01-02 15:04 MST")), r.Host.CPUs, esc(r.Host.Go), r.Config.BodyBytes)
	for i, name := range series {
		x := marginL + i*200
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n",
			x, headerH+8, pathColors[i], x+20, headerH+20, esc(name))
	}
	for i, p := range panels {
		p.draw(&b, headerH+legendH+i*panelH)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func throughputChart(r *Results, series []string) barChart {
	c := barChart{Title: "Throughput, closed loop (req/s, higher is better)", Unit: "req/s", Series: series, Colors: pathColors[:]}
	for _, conc := range r.Config.Concurrency {
		c.Groups = append(c.Groups, fmt.Sprintf("concurrency %d", conc))
		row := make([]float64, len(series))
		for _, t := range r.Throughput {
			for j, s := range series {
				if t.Target == s && t.Concurrency == conc {
					row[j] = t.RPS
				}
			}
		}
		c.Values = append(c.Values, row)
	}
	return c
}

func serialChart(r *Results, series []string) barChart {
	c := barChart{Title: "Latency at concurrency 1 (ms, lower is better)", Unit: "ms", Series: series, Colors: pathColors[:]}
	for _, pct := range []string{"p50", "p90", "p99"} {
		c.Groups = append(c.Groups, pct)
		row := make([]float64, len(series))
		for j, s := range series {
			l := r.Serial[s]
			row[j] = map[string]float64{"p50": l.P50, "p90": l.P90, "p99": l.P99}[pct]
		}
		c.Values = append(c.Values, row)
	}
	return c
}

func openLoopChart(r *Results, series []string) barChart {
	c := barChart{Title: "Open loop at a constant rate: latency from the scheduled send (ms, log scale, lower is better)", Unit: "ms", Series: series, Colors: pathColors[:], Log: true}
	for _, rate := range r.Config.Rates {
		for _, pct := range []string{"p50", "p99"} {
			c.Groups = append(c.Groups, fmt.Sprintf("%d/s %s", rate, pct))
			row := make([]float64, len(series))
			for _, o := range r.OpenLoop {
				for j, s := range series {
					if o.Target == s && o.Rate == rate {
						row[j] = o.Latency.P50
						if pct == "p99" {
							row[j] = o.Latency.P99
						}
					}
				}
			}
			c.Values = append(c.Values, row)
		}
	}
	return c
}

func streamChart(r *Results, series []string) barChart {
	c := barChart{Title: "Streaming: time to first event (ms, lower is better)", Unit: "ms", Series: series, Colors: pathColors[:]}
	for _, pct := range []string{"p50", "p90", "p99"} {
		c.Groups = append(c.Groups, "TTFE "+pct)
		row := make([]float64, len(series))
		for j, s := range series {
			l := r.Stream.TTFE[s]
			row[j] = map[string]float64{"p50": l.P50, "p90": l.P90, "p99": l.P99}[pct]
		}
		c.Values = append(c.Values, row)
	}
	return c
}

func memoryChart(r *Results) barChart {
	c := barChart{Title: "Engine resident memory (MB): idle, holding N streams, after the load", Unit: "MB",
		Series: []string{"RSS"}, Colors: []string{pathColors[2]}}
	add := func(group string, v float64) {
		c.Groups = append(c.Groups, group)
		c.Values = append(c.Values, []float64{v})
	}
	add("idle", r.Memory.Idle.RSS)
	for _, h := range r.Hold {
		add(fmt.Sprintf("%d streams", h.Streams), h.PeakRSS)
	}
	add("peak", r.Memory.Peak)
	add(fmt.Sprintf("%gs after", r.Config.SettleSeconds), r.Memory.After.RSS)
	add(fmt.Sprintf("%ds after", laterSeconds), r.Memory.Later.RSS)
	return c
}

// draw writes the panel with its top edge at y.
func (c barChart) draw(b *bytes.Buffer, y int) {
	plotX, plotY := marginL, y+marginT
	plotW, plotH := chartW-marginL-marginR, panelH-marginT-marginB
	top := 0.0
	for _, row := range c.Values {
		for _, v := range row {
			top = max(top, v)
		}
	}
	top = niceCeil(top)
	// scale maps a value to a bar height in pixels.
	scale := func(v float64) int { return int(math.Round(float64(plotH) * v / top)) }
	ticks := []float64{0, top / 4, top / 2, top * 3 / 4, top}
	if c.Log {
		lo := 0.1
		top = math.Pow(10, math.Ceil(math.Log10(max(top, 1))))
		span := math.Log10(top / lo)
		scale = func(v float64) int {
			if v <= lo {
				return 0
			}
			return int(math.Round(float64(plotH) * math.Log10(v/lo) / span))
		}
		ticks = nil
		for t := lo; t <= top*1.001; t *= 10 {
			ticks = append(ticks, t)
		}
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", plotX, y+22, esc(c.Title))
	for _, v := range ticks {
		ly := plotY + plotH - scale(v)
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#e5e7eb"/>`, plotX, ly, plotX+plotW, ly)
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end" fill="#374151">%s</text>`+"\n", plotX-6, ly+4, axisLabel(v))
	}
	if len(c.Groups) == 0 {
		return
	}
	groupW := plotW / len(c.Groups)
	barW := (groupW - 20 - barGapPx*(len(c.Series)-1)) / max(1, len(c.Series))
	for g, name := range c.Groups {
		gx := plotX + g*groupW + 10
		for s, v := range c.Values[g] {
			h := scale(v)
			x := gx + s*(barW+barGapPx)
			fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s %s: %s %s</title></rect>`+"\n",
				x, plotY+plotH-h, barW, h, c.Colors[s%len(c.Colors)], esc(c.Series[s]), esc(name), valueLabel(v), esc(c.Unit))
			if barW >= 28 {
				fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" font-size="9" fill="#111827">%s</text>`+"\n", x+barW/2, plotY+plotH-h-3, valueLabel(v))
			}
		}
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", plotX+g*groupW+groupW/2, plotY+plotH+18, esc(name))
	}
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#111827"/>`+"\n", plotX, plotY+plotH, plotX+plotW, plotY+plotH)
}

// niceCeil rounds v up to a round multiple of a power of ten, so axis
// labels are round.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func axisLabel(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%gk", math.Round(v/100)/10)
	}
	return valueLabel(v)
}

func valueLabel(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func esc(s string) string { return html.EscapeString(s) }
