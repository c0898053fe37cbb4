package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// pathOrder is the order paths are shown in.
var pathOrder = [...]string{tDirect, tBare, tPassthrough, tConverted}

// printReport writes the results as plain-text tables, then the targets.
func printReport(out io.Writer, r *Results) {
	fmt.Fprintf(out, "\nRoutex bench: %s/%s, %d CPUs, %s; request body %d bytes (Claude Code fixture); request logging on\n",
		r.Host.OS, r.Host.Arch, r.Host.CPUs, r.Host.Go, r.Config.BodyBytes)

	section(out, "Latency at concurrency 1 (ms; added = path minus direct)")
	tw := newTable(out)
	fmt.Fprintln(tw, "path\tp50\tp90\tp99\tp99.9\tadded p50\tadded p99\t")
	for _, name := range pathOrder {
		l, a := r.Serial[name], r.Added[name]
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t%s\t\n", name, l.P50, l.P90, l.P99, l.P999, added(name, a.P50), added(name, a.P99))
	}
	tw.Flush()

	section(out, "Throughput, closed loop (req/s; ratio to the bare proxy)")
	tw = newTable(out)
	fmt.Fprint(tw, "path")
	for _, c := range r.Config.Concurrency {
		fmt.Fprintf(tw, "\tc=%d", c)
	}
	fmt.Fprintln(tw, "\t")
	for _, name := range pathOrder {
		fmt.Fprint(tw, name)
		for _, c := range r.Config.Concurrency {
			for _, t := range r.Throughput {
				if t.Target != name || t.Concurrency != c {
					continue
				}
				cell := fmt.Sprintf("%.0f", t.RPS)
				if ratio, ok := r.Ratios[c][name]; ok {
					cell += fmt.Sprintf(" (%.2fx)", ratio)
				}
				if t.Errors > 0 {
					cell += fmt.Sprintf(" !%d err", t.Errors)
				}
				fmt.Fprint(tw, "\t"+cell)
			}
		}
		fmt.Fprintln(tw, "\t")
	}
	tw.Flush()

	section(out, "Open loop, constant rate (ms from the scheduled send time)")
	tw = newTable(out)
	fmt.Fprintln(tw, "rate\tpath\tachieved\tp50\tp90\tp99\tp99.9\tmax\terrors\tmissed\t")
	for _, o := range r.OpenLoop {
		l := o.Latency
		fmt.Fprintf(tw, "%d/s\t%s\t%.0f/s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%d\t\n", o.Rate, o.Target, o.Done, l.P50, l.P90, l.P99, l.P999, l.Max, o.Errors, o.Missed)
	}
	tw.Flush()

	section(out, fmt.Sprintf("Streaming, %d text events %.0f ms apart (ms; added = path minus direct)", r.Config.TextEvents, r.Config.PaceMS))
	tw = newTable(out)
	fmt.Fprintln(tw, "path\tTTFE p50\tTTFE p99\tadded TTFE p50\tadded TTFE p99\tgap p50\tgap p99\tadded gap p50\tadded gap p99\t")
	for _, name := range pathOrder {
		t, g := r.Stream.TTFE[name], r.Stream.Gap[name]
		at, ag := r.Stream.AddedTTFE[name], r.Stream.AddedGap[name]
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%s\t%s\t%.3f\t%.3f\t%s\t%s\t\n", name, t.P50, t.P99,
			added(name, at.P50), added(name, at.P99), g.P50, g.P99, added(name, ag.P50), added(name, ag.P99))
	}
	tw.Flush()

	section(out, fmt.Sprintf("Concurrent streams through Routex passthrough (%.0f ms between events; stall = gap over 2 s)", r.Config.HoldPaceMS))
	tw = newTable(out)
	fmt.Fprintln(tw, "streams\topen at once\tcomplete\tlost\treordered\tstalled\terrors\tseconds\tengine RSS peak MB\t")
	for _, h := range r.Hold {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f\t%.1f\t\n", h.Streams, h.MaxOpen, h.Complete, h.Lost, h.Reordered, h.Stalled, h.Errors, h.Seconds, h.PeakRSS)
	}
	tw.Flush()

	if t := r.Team; t != nil {
		section(out, "Keys per person: latency at concurrency 1 on one engine (ms; added = path minus the access key)")
		keyTable(out, t.KeySerial, t.KeyAdded)
		if len(t.KeySerialFirstByte) > 0 {
			section(out, fmt.Sprintf("Keys per person against an upstream whose first byte takes %g ms (ms; added = path minus the access key)", t.FirstByteMS))
			keyTable(out, t.KeySerialFirstByte, t.KeyAddedFirstByte)
		}
		if t.Skipped != "" {
			fmt.Fprintf(out, "PostgreSQL half skipped: %s\n", t.Skipped)
		} else {
			section(out, fmt.Sprintf("Instances on one PostgreSQL %s behind a round-robin proxy, closed loop c=%d", t.Postgres, t.Concurrency))
			tw = newTable(out)
			fmt.Fprintln(tw, "target	req/s	p50 ms	p99 ms	errors	")
			for _, tp := range t.Instances {
				fmt.Fprintf(tw, "%s\t%.0f\t%.3f\t%.3f\t%d\t\n", tp.Target, tp.RPS, tp.Latency.P50, tp.Latency.P99, tp.Errors)
			}
			tw.Flush()
		}
	}

	section(out, "Engine memory (MB)")
	m := r.Memory
	fmt.Fprintf(out, "idle RSS %.1f   peak (VmHWM) %.1f   peak while holding streams %.1f   %g s after load %.1f   %d s after load %.1f\n",
		m.Idle.RSS, m.Peak, m.HoldPeak, r.Config.SettleSeconds, m.After.RSS, laterSeconds, m.Later.RSS)

	section(out, "Request bodies (engine memory; allocated = bytes allocated per byte of body)")
	tw = newTable(out)
	fmt.Fprintln(tw, "path\tbody MB\trequests\tallocated\tRSS peak MB\t")
	for _, b := range r.Bodies {
		fmt.Fprintf(tw, "%s\t%.1f\t%d\t%.2fx\t%.1f\t\n", b.Path, b.BodyMB, b.Requests, b.AllocPerBody, b.PeakRSS)
	}
	tw.Flush()
	bu := r.Burst
	fmt.Fprintf(out, "%d x %.1f MB converted at once: %d served, %d refused with 529 (bodies-in-flight budget), %d errors, RSS peak %.1f MB\n",
		bu.Concurrent, bu.BodyMB, bu.OK, bu.Refused, bu.Errors, bu.PeakRSS)

	section(out, "Targets (issues 8 and 14, this machine)")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, t := range r.Targets {
		verdict := "MET"
		if !t.Met {
			verdict = "MISSED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%g %s\t%s\t%s\t\n", verdict, t.Name, t.Value, t.Unit, t.Goal, t.Detail)
	}
	tw.Flush()
}

func section(out io.Writer, title string) {
	fmt.Fprintf(out, "\n%s\n%s\n", title, strings.Repeat("-", len(title)))
}

func newTable(out io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
}

// added shows an added value, or "-" for the direct path itself.
func added(name string, v float64) string {
	if name == tDirect {
		return "-"
	}
	return fmt.Sprintf("%+.3f", v)
}

// keyTable prints each backend's credential latencies and what each key
// adds over the access key.
func keyTable(out io.Writer, serial, added map[string]map[string]Latency) {
	tw := newTable(out)
	fmt.Fprintln(tw, "backend	credential	p50	p90	p99	added p50	added p99	")
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, name := range keyPathOrder {
			l, ok := serial[backend][name]
			if !ok {
				continue
			}
			a := added[backend][name]
			add50, add99 := "-", "-"
			if name != tAccessKey {
				add50, add99 = fmt.Sprintf("%+.3f", a.P50), fmt.Sprintf("%+.3f", a.P99)
			}
			fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.3f\t%.3f\t%s\t%s\t\n", backend, name, l.P50, l.P90, l.P99, add50, add99)
		}
	}
	tw.Flush()
}
