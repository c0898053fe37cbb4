package cli

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// newTable aligns tab-separated cells in columns, as every table the CLI
// prints is aligned; Flush writes it.
func newTable(out io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(out, 2, 4, 2, ' ', 0) }

// printList writes items as a table under header, one row each (row writes
// an item's tab-separated cells and its newline), or the line none when
// there are no items.
func printList[T any](out io.Writer, items []T, none, header string, row func(tw io.Writer, v T)) {
	if len(items) == 0 {
		fmt.Fprintln(out, none)
		return
	}
	tw := newTable(out)
	fmt.Fprintln(tw, header)
	for _, v := range items {
		row(tw, v)
	}
	tw.Flush()
}
