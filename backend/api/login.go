package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// loginTTL is how long a login link works if nobody opens it.
const loginTTL = 24 * time.Hour

// logins are the one-time codes of login links (`routex serve` prints one
// at start, `routex dashboard` asks for another): opening the link gives a
// browser the admin token once, so nobody has to copy it out of
// config.json.
type logins struct {
	mu    sync.Mutex
	codes map[string]time.Time // code → expiry
}

// NewLoginCode makes a one-time code for a login link
// (<dashboard URL>#login=<code>); it works once, within a day.
func (s *Server) NewLoginCode() string {
	b := make([]byte, 16)
	rand.Read(b)
	code := hex.EncodeToString(b)
	s.logins.mu.Lock()
	defer s.logins.mu.Unlock()
	if s.logins.codes == nil {
		s.logins.codes = map[string]time.Time{}
	}
	now := time.Now()
	for c, exp := range s.logins.codes {
		if now.After(exp) {
			delete(s.logins.codes, c)
		}
	}
	s.logins.codes[code] = now.Add(loginTTL)
	return code
}

// redeem spends code, reporting whether it was a live one.
func (s *Server) redeem(code string) bool {
	s.logins.mu.Lock()
	defer s.logins.mu.Unlock()
	for c, exp := range s.logins.codes {
		if subtle.ConstantTimeCompare([]byte(c), []byte(code)) == 1 {
			delete(s.logins.codes, c)
			return time.Now().Before(exp)
		}
	}
	return false
}

// LoginHandler answers POST /api/login {"code"} with {"token"} (the admin
// token) for a live one-time code, and 401 otherwise. Mount it without the
// admin token guard: it is how a browser gets the token.
func (s *Server) LoginHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Code string `json:"code"`
		}
		if err := decode(r, &in); err != nil {
			s.fail(w, r, err)
			return
		}
		if in.Code == "" || s.conf == nil || !s.redeem(in.Code) {
			writeError(w, http.StatusUnauthorized, "unauthorized",
				"this login link was used already or has expired: run `routex dashboard` for a new one", nil)
			return
		}
		s.log.Info("browser signed in with a login link")
		writeJSON(w, http.StatusOK, map[string]string{"token": s.conf.keys.Admin()})
	})
}

// newLoginLink answers POST /api/login/link (admin token) with a fresh
// one-time login link, for `routex dashboard`: on the address the caller
// reached the engine at.
func (s *Server) newLoginLink(w http.ResponseWriter, r *http.Request) {
	base := s.info.BaseURL
	if r.Host != "" {
		base = "http://" + r.Host
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": base + "/#login=" + s.NewLoginCode()})
}

// Tray states of /api/info, as the desktop app finds them.
const (
	// TrayNone: a headless engine (`routex serve`): no window, no tray.
	TrayNone = ""
	// TrayRunning: the tray icon shows.
	TrayRunning = "running"
	// TrayNoHost: the desktop shows no tray icons (no StatusNotifier
	// host): closing the window quits Routex.
	TrayNoHost = "no_host"
	// TrayUnavailable: no tray at all (no D-Bus session bus).
	TrayUnavailable = "unavailable"
)

// SetTray records the desktop tray's state for /api/info, so the window
// can say once that there is no tray menu instead of failing silently.
func (s *Server) SetTray(state, reason string) {
	s.trayMu.Lock()
	s.tray, s.trayReason = state, reason
	s.trayMu.Unlock()
	s.notify("info")
}

func (s *Server) trayState() (string, string) {
	s.trayMu.Lock()
	defer s.trayMu.Unlock()
	return s.tray, s.trayReason
}
