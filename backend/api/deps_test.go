package api_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/routex-app/routex/backend/api"
	"github.com/routex-app/routex/backend/keys"
	"github.com/routex-app/routex/backend/store"
)

// A server missing a required dependency is refused at construction, not
// discovered by the first request that needs it.
func TestNewRequiresStoreAndKeys(t *testing.T) {
	t.Parallel()
	st, err := store.Open(filepath.Join(t.TempDir(), "routex.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, tc := range []struct {
		name string
		deps api.Deps
		want string
	}{
		{"no store", api.Deps{Keys: keys.New(st, nil)}, "Deps.Store"},
		{"no keys", api.Deps{Store: st}, "Deps.Keys"},
	} {
		if srv, err := api.New(tc.deps); err == nil || srv != nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, %v; want an error naming %s", tc.name, srv, err, tc.want)
		}
	}
	if _, err := api.New(api.Deps{Store: st, Keys: keys.New(st, nil)}); err != nil {
		t.Errorf("New with the required dependencies: %v", err)
	}
}
