//go:build desktop

package tray

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"reflect"
	"time"

	"fyne.io/systray"
)

// Source gives the tray the engine's current state. The engine implements
// it (engine.TrayBridge); the tray polls it, so a change made anywhere
// (window, browser, CLI) shows in the menu within a poll.
type Source interface {
	TrayState(ctx context.Context) (State, error)
}

// Options tunes Run.
type Options struct {
	// Icon is a PNG (the app icon); it is scaled down for the tray.
	Icon []byte
	// Interval between polls of the Source (default 1 s).
	Interval time.Duration
	Logger   *slog.Logger
}

// Run shows the tray icon and its menu until ctx ends, re-rendering when
// the state changes and turning clicks into actions. It uses
// systray.RunWithExternalLoop: the caller (the Wails app) owns the main
// loop; on Linux the tray is a D-Bus StatusNotifierItem with a dbusmenu.
// It returns at once with an error when no tray can be shown (Available).
// fyne.io/systray keeps package state, so Run may be called once per process.
func Run(ctx context.Context, src Source, actions Actions, opts Options) (err error) {
	if err := Available(); err != nil {
		return err
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	r := &renderer{src: src, actions: actions, opts: opts, clicks: make(chan string, 16), poke: make(chan struct{}, 1)}
	systray.SetOnTapped(actions.OpenDashboard)
	start, end := systray.RunWithExternalLoop(nil, nil)
	start()
	defer func() {
		// end closes the D-Bus connection, which start may have failed to
		// open after Available succeeded; a tray is never worth a crash.
		if p := recover(); p != nil {
			err = fmt.Errorf("tray: stop: %v", p)
		}
	}()
	defer end()
	if icon := smallIcon(opts.Icon, 64); icon != nil {
		systray.SetIcon(icon)
	}
	systray.SetTitle("Routex")
	r.loop(ctx)
	return nil
}

// renderer keeps the menu shown in step with the Source.
type renderer struct {
	src     Source
	actions Actions
	opts    Options
	clicks  chan string
	poke    chan struct{}
	state   State
	shown   *Menu
}

func (r *renderer) loop(ctx context.Context) {
	tick := time.NewTicker(r.opts.Interval)
	defer tick.Stop()
	r.refresh(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-r.poke:
		case id := <-r.clicks:
			if err := Dispatch(id, r.state, r.actions); err != nil {
				r.opts.Logger.Warn("tray action failed", "item", id, "error", err)
			}
		}
		r.refresh(ctx)
	}
}

// refresh reads the state and re-renders when the menu would change.
func (r *renderer) refresh(ctx context.Context) {
	s, err := r.src.TrayState(ctx)
	if err != nil {
		r.opts.Logger.Debug("tray state unavailable", "error", err)
		return
	}
	m := Build(s)
	r.state = s
	if r.shown != nil && reflect.DeepEqual(*r.shown, m) {
		return
	}
	r.shown = &m
	systray.ResetMenu()
	for _, it := range m.Items {
		r.add(nil, it)
	}
	systray.SetTooltip(m.Tooltip)
}

// add renders one item under parent (nil: the top level) and forwards its
// clicks until ResetMenu removes it, which closes its channel.
func (r *renderer) add(parent *systray.MenuItem, it Item) {
	if it.Separator {
		if parent == nil {
			systray.AddSeparator()
		} else {
			parent.AddSeparator()
		}
		return
	}
	var mi *systray.MenuItem
	switch {
	case parent == nil && it.Checkable:
		mi = systray.AddMenuItemCheckbox(it.Label, "", it.Checked)
	case parent == nil:
		mi = systray.AddMenuItem(it.Label, "")
	case it.Checkable:
		mi = parent.AddSubMenuItemCheckbox(it.Label, "", it.Checked)
	default:
		mi = parent.AddSubMenuItem(it.Label, "")
	}
	if !it.Enabled {
		mi.Disable()
	}
	for _, c := range it.Children {
		r.add(mi, c)
	}
	go func(clicked <-chan struct{}, id string) {
		for range clicked {
			select {
			case r.clicks <- id:
			default: // a burst of clicks: drop, the menu re-renders anyway
			}
		}
	}(mi.ClickedCh, it.ID)
}

// smallIcon scales a PNG down to size×size (nearest neighbour): a tray
// shows 16–48 px, and on Linux the pixels travel over D-Bus.
func smallIcon(data []byte, size int) []byte {
	if len(data) == 0 {
		return nil
	}
	src, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return data
	}
	b := src.Bounds()
	if b.Dx() <= size && b.Dy() <= size {
		return data
	}
	dst := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			dst.Set(x, y, src.At(b.Min.X+x*b.Dx()/size, b.Min.Y+y*b.Dy()/size))
		}
	}
	var buf bytes.Buffer
	if png.Encode(&buf, dst) != nil {
		return data
	}
	return buf.Bytes()
}
