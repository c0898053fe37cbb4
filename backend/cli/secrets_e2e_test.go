package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/routex-app/routex/backend/config"
)

// A channel's secrets are its keys, every custom header value and the
// password of its base_url. The real binary runs as a user would; every
// place that shows or logs a channel is read and searched for them: the
// admin API, the CLI's lists and shows, the export without keys, error
// messages to clients, the request log (errors, attempts, captured bodies)
// and routex.log. Only `export --include-keys` may hold them.
func TestChannelSecretsAreNeverShown(t *testing.T) {
	bin := binary(t)
	env := e2eHome(t)
	const (
		key       = "sk-secret-key-0a1b2c3d4e5f"
		hdrSecret = "hdr-secret-value-91c4e7"
		urlPass   = "pw-secret-55ab31"
	)
	// The password also travels as Basic credentials, which an upstream
	// error may quote.
	secrets := []string{key, hdrSecret, urlPass, base64.StdEncoding.EncodeToString([]byte("svc:" + urlPass))}

	// An upstream that repeats what it was sent: in its errors, and in the
	// text of its replies.
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		echo := fmt.Sprintf("project %s, key %s, auth %s", r.Header.Get("X-Org-Project"), r.Header.Get("X-Api-Key"), r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-Fail") != "" || strings.Contains(r.URL.Path, "fail") {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"type":"error","error":{"type":"api_error","message":%q}}`, echo)
			return
		}
		fmt.Fprintf(w, `{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":%q}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":2}}`, echo)
	}))
	defer up.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	gone := closed.Addr().String()
	closed.Close()
	withPass := func(hostport, path string) string { return "http://svc:" + urlPass + "@" + hostport + path }
	upHost := strings.TrimPrefix(up.URL, "http://")

	addr := envValue(env, "ROUTEX_LISTEN")
	serve := exec.Command(bin, "serve")
	serve.Env = env
	var serveOut bytes.Buffer
	serve.Stdout, serve.Stderr = &serveOut, &serveOut
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { serve.Process.Kill(); serve.Wait() }()
	waitFor(t, "the engine", func() bool {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	home := envValue(env, "ROUTEX_HOME")
	cfg, err := config.Load(home)
	if err != nil {
		t.Fatal(err)
	}
	api := func(method, path, body string) string {
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+cfg.AdminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		return string(raw)
	}

	for _, args := range [][]string{
		{"channel", "add", "echo", "--type", "anthropic", "--base-url", withPass(upHost, ""), "--key", key,
			"--header", "X-Org-Project=" + hdrSecret, "--model", "m", "--priority", "3"},
		{"channel", "add", "fail", "--type", "anthropic", "--base-url", withPass(upHost, "/fail"), "--key", key,
			"--header", "X-Org-Project=" + hdrSecret, "--model", "m", "--priority", "1"},
		{"channel", "add", "gone", "--type", "openai", "--base-url", withPass(gone, "/v1"), "--key", key,
			"--header", "X-Org-Project=" + hdrSecret, "--model", "m", "--priority", "2"},
	} {
		if out, code := runBin(t, bin, env, args...); code != 0 {
			t.Fatalf("%v: %s", args, out)
		}
	}
	api("PUT", "/api/settings", `{"capture_bodies":true}`)
	time.Sleep(2500 * time.Millisecond) // the engine rereads the capture switch every 2 s

	var outputs []string
	show := func(what, s string) { outputs = append(outputs, what+":\n"+s) }
	// A model's answer is relayed as it is (here it repeats the secrets,
	// which no real model is sent): only errors are searched.
	send := func(model string, answer bool) {
		body := `{"model":"` + model + `","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}`
		req, _ := http.NewRequest("POST", "http://"+addr+"/v1/messages", strings.NewReader(body))
		req.Header.Set("X-Api-Key", cfg.AccessKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !answer {
			show("reply to "+model, string(raw))
		}
	}
	send("echo,m", true)  // a reply whose text repeats the secrets: captured in the log
	send("fail,m", false) // an upstream error that repeats them
	send("gone,m", false) // an unreachable base_url
	send("m", true)       // fail, then gone, then echo: attempts and their errors
	// A dashboard that saves back what it was shown must not store the
	// masked values over the real ones.
	var listed struct {
		Channels []map[string]any `json:"channels"`
	}
	json.Unmarshal([]byte(api("GET", "/api/channels", "")), &listed)
	for _, ch := range listed.Channels {
		delete(ch, "health") // live state, not a field to save
		b, _ := json.Marshal(ch)
		api("PUT", fmt.Sprintf("/api/channels/%v", ch["id"]), string(b))
	}

	show("GET /api/channels", api("GET", "/api/channels", ""))
	show("GET /api/channels/1", api("GET", "/api/channels/1", ""))
	waitFor(t, "the request log", func() bool { return strings.Count(api("GET", "/api/logs", ""), `"id"`) >= 4 })
	logs := api("GET", "/api/logs", "")
	show("GET /api/logs", logs)
	captured := false
	for i := 1; i <= 4; i++ {
		one := api("GET", fmt.Sprintf("/api/logs/%d", i), "")
		show(fmt.Sprintf("GET /api/logs/%d", i), one)
		var v struct {
			ResponseBody string `json:"response_body"`
		}
		json.Unmarshal([]byte(one), &v)
		captured = captured || v.ResponseBody != ""
	}
	if !captured {
		t.Error("the request log captured no reply: the test would prove nothing about captured bodies")
	}
	for _, args := range [][]string{
		{"channel", "list"}, {"channel", "list", "--json"}, {"channel", "show", "echo"}, {"channel", "show", "gone", "--json"},
		{"channel", "test", "gone"}, {"channel", "test", "fail"}, {"export"}, {"status"},
	} {
		out, _ := runBin(t, bin, env, args...)
		show(strings.Join(args, " "), out)
	}

	serve.Process.Signal(os.Interrupt)
	serve.Wait()
	show("serve output", serveOut.String())
	logFile, err := os.ReadFile(filepath.Join(home, "logs", "routex.log"))
	if err != nil {
		t.Fatal(err)
	}
	show("routex.log", string(logFile))
	for _, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				what, _, _ := strings.Cut(out, ":\n")
				i := strings.Index(out, s)
				t.Errorf("%s shows secret %q: …%s…", what, s, out[max(0, i-80):min(len(out), i+len(s)+20)])
			}
		}
	}

	// Only an export that asks for keys has them, and the saves above kept
	// the real values.
	out, code := runBin(t, bin, env, "export", "--include-keys")
	if code != 0 {
		t.Fatal(out)
	}
	for _, s := range secrets[:3] {
		if !strings.Contains(out, s) {
			t.Errorf("export --include-keys lacks %q (lost by a save of masked values?)", s)
		}
	}
}
