package cli

import (
	"strings"
	"testing"
)

func TestModelSwitchesTheActiveProviderThroughPlainPrompts(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	run(t, channelCmd(f), "", "add", "a", "--type", "openai", "--base-url", "https://a.example/v1", "--model", "a1")
	run(t, channelCmd(f), "", "add", "b", "--type", "anthropic", "--base-url", "https://b.example", "--model", "b1", "--model", "b2")
	// Menu 2 (switch), channel 2 (b), model 3 (b2); back at the menu, 1
	// (view), then 6 (quit).
	out, err := run(t, newModelCmd(f, en, "test"), "2\n2\n3\n1\n6\n", "--accessible")
	if err != nil || !strings.Contains(out, "Active provider: b · b2") {
		t.Fatalf("%v\n%s", err, out)
	}
	// The menu came back after the switch, headed by the new provider, and
	// the view marks it.
	after := out[strings.Index(out, "Active provider: b · b2"):]
	if !strings.Contains(after, "Active: b · b2") || !strings.Contains(after, "● b is the active provider") ||
		strings.Count(out, "What do you want to do?") != 3 {
		t.Fatalf("the menu did not come back headed by the active provider:\n%s", out)
	}
	c, _ := dial(f, "test")
	defer c.close()
	if name, model, _ := activeTarget(c); name != "b" || model != "b2" {
		t.Fatalf("active %s,%s", name, model)
	}
}

func TestModelAddsAPresetChannelValidatingAsTyped(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	run(t, channelCmd(f), "", "add", "deepseek", "--type", "openai", "--base-url", "https://a.example/v1")
	// Menu 4 (preset), preset 4 (DeepSeek); the name "deepseek" is taken, so
	// the form asks again.
	out, err := run(t, newModelCmd(f, en, "test"), "4\n4\ndeepseek\nds2\nsk-000011112222\ndeepseek-chat\n6\n", "--accessible")
	if err != nil || !strings.Contains(out, "already exists") ||
		!strings.Contains(out, "Added channel ds2") {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestModelRefusesWithoutATerminal(t *testing.T) {
	t.Parallel()
	if _, err := run(t, newModelCmd(testHome(t), en, "test"), ""); err == nil || !strings.Contains(err.Error(), "--accessible") {
		t.Fatalf("got %v", err)
	}
}
