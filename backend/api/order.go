package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Orderer stores a new channel order.
type Orderer interface {
	ReorderChannels(ctx context.Context, ids []int64) error
}

// orderInput is the body of PUT /api/channels/order.
type orderInput struct {
	IDs []int64 `json:"ids"`
}

// putOrder answers PUT /api/channels/order {"ids":[3,1,2]}: priorities
// become 1..n in that order, which is the order failover tries them in.
// Every channel must be listed exactly once, so a stale page cannot drop one
// to the end by accident.
func (s *Server) putOrder(w http.ResponseWriter, r *http.Request) {
	var in orderInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	chs, err := s.store.Channels(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	known := make([]int64, 0, len(chs))
	for _, c := range chs {
		known = append(known, c.ID)
	}
	if err := checkOrder(in.IDs, known); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.ReorderChannels(r.Context(), in.IDs); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("channels reordered", "ids", in.IDs)
	s.listChannels(w, r)
}

// checkOrder reports ids that are missing, unknown or repeated.
func checkOrder(ids, known []int64) error {
	var missing, unknown, repeated []string
	seen := map[int64]bool{}
	for _, id := range ids {
		switch {
		case seen[id]:
			repeated = append(repeated, fmt.Sprint(id))
		case !slices.Contains(known, id):
			unknown = append(unknown, fmt.Sprint(id))
		}
		seen[id] = true
	}
	for _, id := range known {
		if !seen[id] {
			missing = append(missing, fmt.Sprint(id))
		}
	}
	if len(missing)+len(unknown)+len(repeated) == 0 {
		return nil
	}
	var parts []string
	for _, p := range []struct {
		what string
		ids  []string
	}{{"missing", missing}, {"unknown", unknown}, {"repeated", repeated}} {
		if len(p.ids) > 0 {
			parts = append(parts, p.what+" "+strings.Join(p.ids, ", "))
		}
	}
	ve := ValidationError{}
	ve.add("ids", "invalid", "ids must list every channel exactly once (%s)", strings.Join(parts, "; "))
	return ve
}
