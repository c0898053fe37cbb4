package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Keys per person on two instances sharing one database (part of
// TestTwoInstancesShareOnePostgresDatabase): a key revoked on one
// instance is refused by the other on the very next request, and the
// limits hold for both together when both are hammered at once.

// keyCall sends one Anthropic request with a key per person and returns
// the status; it is safe in any goroutine.
func keyCall(client *http.Client, base, key string) (int, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/v1/messages",
		strings.NewReader(`{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("User-Agent", "team-test/keys")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// newTeamKey creates a key on base's admin API and returns id and secret.
func newTeamKey(t *testing.T, base, body string) (int64, string) {
	t.Helper()
	code, raw := call(t, http.MethodPost, base+"/api/keys", obsAdminToken, body)
	var out struct {
		ID  int64  `json:"id"`
		Key string `json:"key"`
	}
	if code != http.StatusCreated || json.Unmarshal(raw, &out) != nil || out.Key == "" {
		t.Fatalf("create key on %s: %d %s", base, code, raw)
	}
	return out.ID, out.Key
}

// hammer sends requests with key from workers goroutines, spread over the
// instances, each until it is refused, and counts the statuses.
func hammer(t *testing.T, bases []string, key string, workers int) map[int]int {
	t.Helper()
	var mu sync.Mutex
	counts := map[int]int{}
	var errs atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			c := &http.Client{Timeout: 10 * time.Second}
			for range 1000 {
				code, err := keyCall(c, bases[w%len(bases)], key)
				if err != nil {
					errs.Add(1)
					return
				}
				mu.Lock()
				counts[code]++
				mu.Unlock()
				if code != http.StatusOK {
					return
				}
			}
		})
	}
	wg.Wait()
	if errs.Load() > 0 {
		t.Errorf("%d requests failed to send", errs.Load())
	}
	return counts
}

// awaitFreshMinute waits, when less than room is left of this UTC minute,
// for the next one: per-minute limits count in fixed minutes.
func awaitFreshMinute(room time.Duration) time.Time {
	now := time.Now().UTC()
	end := now.Truncate(time.Minute).Add(time.Minute)
	if end.Sub(now) < room {
		time.Sleep(time.Until(end) + 10*time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Minute)
}

func teamKeys(t *testing.T, aURL, bURL string) {
	client := &http.Client{Timeout: 10 * time.Second}
	const workers = 8 // 4 on each instance

	// Revoked on B, refused on A from the next request on: A's check reads
	// the shared row. A's own copy of the keys (for the model list, which
	// reads no row) learns it from the change notice.
	id, secret := newTeamKey(t, aURL, `{"name":"team-leaver"}`)
	for _, base := range []string{aURL, bURL} {
		waitUntil(t, 2*time.Second, "the new key to work on "+base, func() bool {
			code, _ := keyCall(client, base, secret)
			return code == http.StatusOK
		})
	}
	if code, raw := call(t, http.MethodDelete, bURL+"/api/keys/"+strconv.FormatInt(id, 10), obsAdminToken, ""); code != http.StatusOK {
		t.Fatalf("revoke on B: %d %s", code, raw)
	}
	revoked := time.Now()
	if code, err := keyCall(client, aURL, secret); code != http.StatusForbidden {
		t.Errorf("the first request on A after B revoked the key: %d %v; want 403", code, err)
	}
	waitUntil(t, time.Second, "A's copy of the keys to know of the revocation", func() bool {
		code, _ := call(t, http.MethodGet, aURL+"/v1/models", secret, "")
		return code == http.StatusForbidden
	})
	t.Logf("a key revoked on B: refused on A by the next request; A's copy knew after %v", time.Since(revoked))

	// Requests per minute: exact across instances.
	const rpm = 30
	minute := awaitFreshMinute(15 * time.Second)
	_, secret = newTeamKey(t, bURL, fmt.Sprintf(`{"name":"team-rpm","rpm":%d}`, rpm))
	counts := hammer(t, []string{aURL, bURL}, secret, workers)
	if !time.Now().UTC().Truncate(time.Minute).Equal(minute) {
		t.Fatalf("the rpm burst spilled into the next minute; %v", counts)
	}
	if counts[http.StatusOK] != rpm || counts[http.StatusTooManyRequests] != workers {
		t.Errorf("rpm %d hammered by %d workers on two instances: %v; want exactly %d OK, then 429s",
			rpm, workers, counts, rpm)
	}

	// A daily budget worth N requests: each costs $0.01 (10 input tokens
	// at $1000 per million on the route's upstream-2); the budget is
	// spent after N. Costs are added when requests finish, and an
	// instance checks a key's next request only once its earlier ones
	// there are counted, so only the requests in flight when it runs out
	// still pass: the stated margin is one request per concurrent client.
	if code, raw := call(t, http.MethodPut, aURL+"/api/prices", obsAdminToken,
		`{"model":"upstream-2","input":1000,"output":0}`); code != http.StatusOK {
		t.Fatalf("set a price: %d %s", code, raw)
	}
	for _, base := range []string{aURL, bURL} {
		waitUntil(t, 2*time.Second, "the price on "+base, func() bool {
			if code, _, err := proxyCall(client, base, "team-test/price-"+base, "m"); code != http.StatusOK || err != nil {
				return false
			}
			code, raw := call(t, http.MethodGet, base+"/api/logs?limit=1&q=team-test/price-"+base, obsAdminToken, "")
			var page struct {
				Logs []struct {
					Cost float64 `json:"cost_usd"`
				} `json:"logs"`
			}
			return code == http.StatusOK && json.Unmarshal(raw, &page) == nil && len(page.Logs) == 1 && page.Logs[0].Cost > 0.0099
		})
	}
	const n = 40
	if now := time.Now().UTC(); now.Add(time.Minute).Day() != now.Day() {
		t.Skip("too close to midnight UTC, when daily budgets reset")
	}
	keyID, secret := newTeamKey(t, aURL, fmt.Sprintf(`{"name":"team-budget","budget_daily_usd":%g}`, (n-0.5)*0.01))
	counts = hammer(t, []string{aURL, bURL}, secret, workers)
	ok := counts[http.StatusOK]
	if ok < n || ok > n+workers || counts[http.StatusPaymentRequired] != workers {
		t.Errorf("a budget of %d requests hammered by %d workers on two instances: %v; want %d to %d OK, then 402s",
			n, workers, counts, n, n+workers)
	}
	t.Logf("a budget of %d requests, %d concurrent clients on two instances: %d served (overshoot %d)", n, workers, ok, ok-n)
	code, raw := call(t, http.MethodGet, bURL+"/api/keys/"+strconv.FormatInt(keyID, 10), obsAdminToken, "")
	var view struct {
		Usage struct {
			Today struct {
				Requests int     `json:"requests"`
				CostUSD  float64 `json:"cost_usd"`
			} `json:"today"`
		} `json:"usage"`
	}
	if code != http.StatusOK || json.Unmarshal(raw, &view) != nil {
		t.Fatalf("GET the key on B: %d %s", code, raw)
	}
	waitUntil(t, 2*time.Second, "every served request in the key's usage", func() bool {
		_, raw := call(t, http.MethodGet, bURL+"/api/keys/"+strconv.FormatInt(keyID, 10), obsAdminToken, "")
		json.Unmarshal(raw, &view)
		return view.Usage.Today.Requests == ok
	})
	if c := view.Usage.Today.CostUSD; c < float64(ok)*0.01-1e-9 || c > float64(ok)*0.01+1e-9 {
		t.Errorf("the key's usage says $%.4f for %d requests of $0.01", c, ok)
	}
}
