package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/huh"
	"github.com/spf13/cobra"

	"github.com/routex-app/routex/backend/i18n"
	"github.com/routex-app/routex/backend/presets"
	"github.com/routex-app/routex/backend/route"
)

// modelUI is one run of `routex model`: a menu, one action, done.
type modelUI struct {
	c          *conn
	tr         *i18n.Translator
	out        io.Writer
	in         io.Reader
	accessible bool
}

func newModelCmd(f *flags, tr *i18n.Translator, version string) *cobra.Command {
	var accessible bool
	cmd := &cobra.Command{
		Use:   "model",
		Short: tr.T("cli.modelShort"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			in := cmd.InOrStdin()
			if !accessible && !isTerminal(in) {
				return errors.New(tr.T("cli.modelNeedsTTY"))
			}
			c, err := dial(f, version)
			if err != nil {
				return err
			}
			defer c.close()
			m := &modelUI{c: c, tr: tr, out: cmd.OutOrStdout(), in: in, accessible: accessible}
			if accessible {
				// huh's plain prompts read with a new scanner each time: hand
				// them one line per read so none is swallowed by another.
				m.in = &lineReader{r: bufio.NewReader(in)}
				defer func() {
					// huh's plain prompts index out of range when input ends.
					if r := recover(); r != nil {
						err = errors.New(tr.T("cli.modelInputEnded"))
					}
				}()
			}
			err = m.run()
			if errors.Is(err, huh.ErrUserAborted) {
				fmt.Fprintln(m.out, tr.T("cli.channelCancelled"))
				return nil
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&accessible, "accessible", false, tr.T("cli.modelFlagAccessible"))
	return cmd
}

// lineReader returns at most one line per Read.
type lineReader struct{ r *bufio.Reader }

func (l *lineReader) Read(p []byte) (int, error) {
	line, err := l.r.ReadSlice('\n')
	n := copy(p, line)
	if n < len(line) {
		return n, bufio.ErrBufferFull
	}
	if err == bufio.ErrBufferFull {
		err = nil
	}
	return n, err
}

func (m *modelUI) form(fields ...huh.Field) *huh.Form {
	f := huh.NewForm(huh.NewGroup(fields...)).WithAccessible(m.accessible).WithShowHelp(true)
	if m.accessible {
		f = f.WithInput(m.in).WithOutput(m.out)
	}
	return f
}

// run shows the menu until the user quits: after each action, the menu
// again, headed by the active provider and its health. Cancelling an
// action (Esc, Ctrl+C) goes back to the menu; cancelling the menu quits.
// An action that fails says why and goes back to the menu too.
func (m *modelUI) run() error {
	for {
		m.header()
		var action string
		menu := huh.NewSelect[string]().Title(m.tr.T("cli.modelMenu")).Value(&action).Options(
			huh.NewOption(m.tr.T("cli.modelView"), "view"),
			huh.NewOption(m.tr.T("cli.modelSwitch"), "switch"),
			huh.NewOption(m.tr.T("cli.modelRoute"), "route"),
			huh.NewOption(m.tr.T("cli.modelPreset"), "preset"),
			huh.NewOption(m.tr.T("cli.modelAddModel"), "addmodel"),
			huh.NewOption(m.tr.T("cli.modelQuit"), "quit"),
		)
		if err := m.form(menu).Run(); err != nil {
			return err
		}
		var err error
		switch action {
		case "view":
			err = m.view()
		case "switch":
			err = m.switchActive()
		case "route":
			err = m.setRoute()
		case "preset":
			err = m.addPreset()
		case "addmodel":
			err = m.addModel()
		default:
			return nil
		}
		switch {
		case errors.Is(err, huh.ErrUserAborted):
			fmt.Fprintln(m.out, m.tr.T("cli.channelCancelled"))
		case err != nil:
			fmt.Fprintln(m.out, m.tr.T("cli.modelFailed", "error", err.Error()))
		}
		fmt.Fprintln(m.out)
	}
}

// header says which provider is active and how it is doing.
func (m *modelUI) header() {
	name, model, err := activeTarget(m.c)
	if err != nil || name == "" {
		fmt.Fprintln(m.out, m.tr.T("cli.modelNoActive"))
		return
	}
	words := "-"
	if chs, err := listChannels(m.c); err == nil {
		for _, ch := range chs {
			if ch.Name == name {
				words = healthWords(m.tr, ch.Enabled, ch.Health, time.Now())
				if model == "" && len(ch.Models) > 0 {
					model = ch.Models[0]
				}
			}
		}
	}
	fmt.Fprintln(m.out, m.tr.T("cli.modelActiveLine", "name", name, "model", dash(model), "health", words))
}

func (m *modelUI) view() error {
	chs, err := listChannels(m.c)
	if err != nil {
		return err
	}
	active, _, _ := activeTarget(m.c)
	printChannels(m.out, chs, m.c.running(), m.tr)
	for _, ch := range chs {
		if ch.Name == active {
			fmt.Fprintln(m.out, m.tr.T("cli.modelActiveIs", "name", ch.Name))
		}
	}
	var doc struct {
		Routes map[string][]string `json:"routes"`
	}
	if err := m.c.do("GET", "/api/routes", nil, &doc); err != nil {
		return err
	}
	fmt.Fprintln(m.out)
	for _, sc := range route.Scenarios {
		fmt.Fprintf(m.out, "%-13s %s\n", sc, dash(strings.Join(doc.Routes[sc], " → ")))
	}
	return nil
}

// pickChannel asks for one of the channels; none gives a hint and nil.
func (m *modelUI) pickChannel(title string) (*channelView, error) {
	chs, err := listChannels(m.c)
	if err != nil {
		return nil, err
	}
	if len(chs) == 0 {
		fmt.Fprintln(m.out, m.tr.T("cli.channelNone"))
		return nil, nil
	}
	active, _, _ := activeTarget(m.c)
	opts := make([]huh.Option[int], len(chs))
	now := time.Now()
	for i, ch := range chs {
		mark := "  "
		if ch.Name == active {
			mark = "● "
		}
		label := mark + ch.Name + "  (" + ch.Type + ", " + ch.BaseURL + ")"
		if !ch.Enabled {
			label += "  " + m.tr.T("cli.modelDisabled")
		} else if m.c.running() {
			label += "  · " + healthWords(m.tr, ch.Enabled, ch.Health, now)
		}
		if ch.Name == active {
			label += "  " + m.tr.T("cli.modelCurrent")
		}
		opts[i] = huh.NewOption(label, i)
	}
	var idx int
	if err := m.form(huh.NewSelect[int]().Title(title).Options(opts...).Value(&idx)).Run(); err != nil {
		return nil, err
	}
	return &chs[idx], nil
}

// pickModel asks for one of ch's models, or its first by default.
func (m *modelUI) pickModel(ch *channelView) (string, error) {
	if len(ch.Models) == 0 {
		return "", nil
	}
	opts := []huh.Option[string]{huh.NewOption(m.tr.T("cli.modelFirst", "model", ch.Models[0]), "")}
	for _, md := range ch.Models {
		opts = append(opts, huh.NewOption(md, md))
	}
	var model string
	err := m.form(huh.NewSelect[string]().Title(m.tr.T("cli.modelPickModel")).Options(opts...).Value(&model)).Run()
	return model, err
}

func (m *modelUI) switchActive() error {
	ch, err := m.pickChannel(m.tr.T("cli.modelPickActive"))
	if err != nil || ch == nil {
		return err
	}
	model, err := m.pickModel(ch)
	if err != nil {
		return err
	}
	if err := m.c.do("PUT", "/api/active", map[string]any{"channel_id": ch.ID, "model": model}, nil); err != nil {
		return err
	}
	fmt.Fprintln(m.out, m.tr.T("cli.modelSwitched", "name", ch.Name, "model", dash(model)))
	return nil
}

func (m *modelUI) setRoute() error {
	var scenario string
	opts := make([]huh.Option[string], len(route.Scenarios))
	for i, sc := range route.Scenarios {
		opts[i] = huh.NewOption(sc, sc)
	}
	if err := m.form(huh.NewSelect[string]().Title(m.tr.T("cli.modelPickScenario")).Options(opts...).Value(&scenario)).Run(); err != nil {
		return err
	}
	ch, err := m.pickChannel(m.tr.T("cli.modelPickTarget"))
	if err != nil || ch == nil {
		return err
	}
	model, err := m.pickModel(ch)
	if err != nil {
		return err
	}
	doc := map[string]any{}
	if err := m.c.do("GET", "/api/routes", nil, &doc); err != nil {
		return err
	}
	routes, _ := doc["routes"].(map[string]any)
	target := ch.Name
	if model != "" {
		target += "," + model
	}
	list := []any{target}
	if old, ok := routes[scenario].([]any); ok {
		for _, t := range old {
			if s, _ := t.(string); !strings.HasPrefix(s+",", ch.Name+",") {
				list = append(list, t)
			}
		}
	}
	routes[scenario] = list
	if err := m.c.do("PUT", "/api/routes", doc, nil); err != nil {
		return err
	}
	fmt.Fprintln(m.out, m.tr.T("cli.modelRouteSet", "scenario", scenario, "target", target))
	return nil
}

func (m *modelUI) addPreset() error {
	chs, err := listChannels(m.c)
	if err != nil {
		return err
	}
	all := presets.All()
	opts := make([]huh.Option[int], len(all))
	for i, p := range all {
		opts[i] = huh.NewOption(fmt.Sprintf("%-22s %s", presetName(p, m.tr), p.BaseURL), i)
	}
	var idx int
	if err := m.form(huh.NewSelect[int]().Title(m.tr.T("cli.modelPickPreset")).Options(opts...).Value(&idx)).Run(); err != nil {
		return err
	}
	p := all[idx]
	name := p.ID
	models := strings.Join(p.Models, ",")
	var key string
	local := !p.NeedsKey
	err = m.form(
		huh.NewInput().Title(m.tr.T("cli.modelAskName")).Value(&name).Validate(func(s string) error {
			return validateChannelName(s, chs, m.tr)
		}),
		huh.NewInput().Title(m.tr.T("cli.modelAskKey", "name", presetName(p, m.tr))).EchoMode(huh.EchoModePassword).Value(&key).
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" && !local {
					return errors.New(m.tr.T("cli.modelKeyRequired"))
				}
				return nil
			}),
		huh.NewInput().Title(m.tr.T("cli.modelAskModels")).Value(&models).Validate(func(s string) error {
			if len(splitList(s)) == 0 {
				return errors.New(m.tr.T("cli.modelModelsRequired"))
			}
			return nil
		}),
	).Run()
	if err != nil {
		return err
	}
	in := map[string]any{"name": strings.TrimSpace(name), "type": p.Type, "base_url": p.BaseURL,
		"api_key": strings.TrimSpace(key), "models": splitList(models)}
	if p.ClaudeModels != nil {
		in["claude_models"] = p.ClaudeModels
	}
	var v channelView
	if err := m.c.do("POST", "/api/channels", in, &v); err != nil {
		return err
	}
	fmt.Fprintln(m.out, m.tr.T("cli.channelAdded", "name", v.Name, "num", fmt.Sprint(v.ID)))
	return nil
}

func (m *modelUI) addModel() error {
	ch, err := m.pickChannel(m.tr.T("cli.modelPickChannel"))
	if err != nil || ch == nil {
		return err
	}
	var model string
	err = m.form(huh.NewInput().Title(m.tr.T("cli.modelAskModel", "name", ch.Name)).Value(&model).Validate(func(s string) error {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			return errors.New(m.tr.T("cli.modelModelsRequired"))
		case strings.ContainsAny(s, ", \t"):
			return errors.New(m.tr.T("cli.modelModelSpaces"))
		case slices.Contains(ch.Models, s):
			return errors.New(m.tr.T("cli.modelModelExists", "model", s))
		}
		return nil
	})).Run()
	if err != nil {
		return err
	}
	models := append(slices.Clone(ch.Models), strings.TrimSpace(model))
	if err := m.c.do("PATCH", fmt.Sprintf("/api/channels/%d", ch.ID), map[string]any{"models": models}, nil); err != nil {
		return err
	}
	fmt.Fprintln(m.out, m.tr.T("cli.modelModelAdded", "model", strings.TrimSpace(model), "name", ch.Name))
	return nil
}

// validateChannelName checks a new name as the API will, as it is typed.
func validateChannelName(s string, chs []channelView, tr *i18n.Translator) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return errors.New(tr.T("cli.modelNameRequired"))
	case len(s) > 64 || strings.ContainsAny(s, ",\n\t"):
		return errors.New(tr.T("cli.modelNameInvalid"))
	}
	for _, ch := range chs {
		if ch.Name == s {
			return errors.New(tr.T("cli.modelNameTaken", "name", s))
		}
	}
	return nil
}

// splitList reads "a, b,c" into its non-empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// presetName is the preset's name in the user's language.
func presetName(p presets.Preset, tr *i18n.Translator) string {
	if p.NameKey != "" {
		return tr.T(p.NameKey)
	}
	return p.Name
}
