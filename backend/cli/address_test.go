package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/config"
)

// An engine started on another address than config.json's (serve
// --listen) is found through the address it writes into the home; the
// file goes when it stops.
func TestTheCLIFindsAnEngineOnAnotherAddress(t *testing.T) {
	t.Parallel()
	f := testHome(t)
	e := startEngine(t, f)
	f.listen = "" // as a user who does not know where it listens
	if _, err := os.Stat(config.EnginePath(f.home)); err != nil {
		t.Fatalf("the engine wrote no %s: %v", "engine.json", err)
	}
	c, err := dial(f, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if !c.running() || c.engineURL() != e.URL() {
		t.Fatalf("dial found running=%t at %s, want the engine at %s", c.running(), c.engineURL(), e.URL())
	}
	out, err := run(t, newDashboardCmd(f, en, "test"), "")
	if err != nil || !strings.Contains(out, e.URL()+"/#login=") {
		t.Fatalf("routex dashboard: %v\n%s", err, out)
	}
	// The link's code buys the admin token, once.
	code := strings.TrimSpace(out[strings.Index(out, "#login=")+len("#login="):])
	login := func() int {
		body, _ := json.Marshal(map[string]string{"code": code})
		resp, err := http.Post(e.URL()+"/api/login", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got struct {
			Token string `json:"token"`
		}
		json.NewDecoder(resp.Body).Decode(&got)
		if resp.StatusCode == http.StatusOK && got.Token != e.Config().AdminToken {
			t.Errorf("the login link gave token %q, want the admin token", got.Token)
		}
		return resp.StatusCode
	}
	if got := login(); got != http.StatusOK {
		t.Fatalf("first use of the login link: HTTP %d, want 200", got)
	}
	if got := login(); got != http.StatusUnauthorized {
		t.Errorf("second use of the login link: HTTP %d, want 401", got)
	}
	e.Stop(context.Background())
	if _, err := os.Stat(config.EnginePath(f.home)); !os.IsNotExist(err) {
		t.Errorf("%s is still there after the engine stopped: %v", "engine.json", err)
	}
}
