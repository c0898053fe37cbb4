package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/routex-app/routex/backend/pricing"
)

// PriceStore is what the price endpoints need; *store.Store implements it.
type PriceStore interface {
	Prices(ctx context.Context) ([]pricing.Price, error)
	PutPrice(ctx context.Context, p pricing.Price) error
	DeletePrice(ctx context.Context, model string) error
}

// listPrices answers GET /api/prices with every price in effect: shipped
// defaults merged with the user's, each with its source.
func (s *Server) listPrices(w http.ResponseWriter, r *http.Request) {
	user, err := s.store.Prices(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"prices": pricing.NewTable(user).All()})
}

// priceInput is the body of PUT /api/prices. Source is accepted (the
// dashboard sends back what it listed) and ignored: a stored price is the
// user's.
type priceInput struct {
	Model      string   `json:"model"`
	Input      *float64 `json:"input"`
	Output     *float64 `json:"output"`
	CacheRead  *float64 `json:"cache_read"`
	CacheWrite *float64 `json:"cache_write"`
	Source     string   `json:"source"`
}

// putPrice answers PUT /api/prices {"model","input","output","cache_read","cache_write"}
// (USD per million tokens; model may be a glob with *) by storing the
// user's price for that model.
func (s *Server) putPrice(w http.ResponseWriter, r *http.Request) {
	var in priceInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	ve := ValidationError{}
	p := pricing.Price{Model: strings.TrimSpace(in.Model), Source: pricing.SourceUser}
	if p.Model == "" {
		ve.add("model", "required", "model is required: an exact model name or a glob such as claude-sonnet-4*")
	}
	for _, f := range []struct {
		name string
		v    *float64
		dst  *float64
	}{{"input", in.Input, &p.Input}, {"output", in.Output, &p.Output}, {"cache_read", in.CacheRead, &p.CacheRead},
		{"cache_write", in.CacheWrite, &p.CacheWrite}} {
		switch {
		case f.v == nil && (f.name == "input" || f.name == "output"):
			ve.add(f.name, "required", "%s is required: USD per million tokens", f.name)
		case f.v != nil && *f.v < 0:
			ve.add(f.name, "invalid_price", "%s must be 0 or more USD per million tokens", f.name)
		case f.v != nil:
			*f.dst = *f.v
		}
	}
	if len(ve) == 0 {
		if err := p.Validate(); err != nil {
			ve.add("body", "invalid_price", "%s", strings.TrimPrefix(err.Error(), pricing.ErrInvalidPrice.Error()+": "))
		}
	}
	if len(ve) > 0 {
		s.fail(w, r, ve)
		return
	}
	if err := s.store.PutPrice(r.Context(), p); err != nil {
		if errors.Is(err, pricing.ErrInvalidPrice) {
			s.fail(w, r, ValidationError{"body": {Code: "invalid_price", Message: err.Error()}})
			return
		}
		s.fail(w, r, err)
		return
	}
	s.pricesEdited(r.Context())
	writeJSON(w, http.StatusOK, p)
}

// deletePrice answers DELETE /api/prices?model=… (or /api/prices/{model},
// for names without slashes being awkward in a query) by removing the
// user's price, so the shipped default applies again.
func (s *Server) deletePrice(w http.ResponseWriter, r *http.Request) {
	model := strings.TrimSpace(r.PathValue("model"))
	if model == "" {
		model = strings.TrimSpace(r.URL.Query().Get("model"))
	}
	if model == "" {
		s.fail(w, r, ValidationError{"model": {Code: "required", Message: "model is required: DELETE /api/prices?model=<name>"}})
		return
	}
	if err := s.store.DeletePrice(r.Context(), model); err != nil {
		s.failObserve(w, r, err, "no price of your own is set for "+model+"; shipped defaults cannot be deleted, only overridden")
		return
	}
	s.pricesEdited(r.Context())
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) pricesEdited(ctx context.Context) {
	if s.obs.pricesChanged != nil {
		s.obs.pricesChanged(ctx)
	}
}
