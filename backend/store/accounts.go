package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ModelList is the provider's own model list of one channel, as the last
// fetch left it. A failed fetch keeps the models of the last one that
// worked and says why in Error.
type ModelList struct {
	ChannelID int64
	Models    []string // never nil after a read
	Error     string
	UpdatedAt time.Time
}

// ChannelModels returns the cached model list of a channel; ok is false
// when it was never fetched.
func (s *Store) ChannelModels(ctx context.Context, channelID int64) (ModelList, bool, error) {
	var (
		l       = ModelList{ChannelID: channelID}
		raw     string
		updated int64
	)
	err := s.db.QueryRowContext(ctx, "SELECT models, error, updated_at FROM channel_models WHERE channel_id = ?",
		channelID).Scan(&raw, &l.Error, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ModelList{ChannelID: channelID, Models: []string{}}, false, nil
	case err != nil:
		return l, false, fmt.Errorf("store: models of channel %d in %s: %w", channelID, s.path, err)
	}
	if err := json.Unmarshal([]byte(raw), &l.Models); err != nil {
		return l, false, fmt.Errorf("store: models of channel %d in %s: %w", channelID, s.path, err)
	}
	if l.Models == nil {
		l.Models = []string{}
	}
	l.UpdatedAt = time.UnixMilli(updated)
	return l, true, nil
}

// AllChannelModels returns every cached model list, by channel id: what
// the proxy's /v1/models lists for channels that declare no models.
func (s *Store) AllChannelModels(ctx context.Context) (map[int64]ModelList, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT channel_id, models, error, updated_at FROM channel_models")
	if err != nil {
		return nil, fmt.Errorf("store: cached models in %s: %w", s.path, err)
	}
	defer rows.Close()
	out := map[int64]ModelList{}
	for rows.Next() {
		var (
			l       ModelList
			raw     string
			updated int64
		)
		if err := rows.Scan(&l.ChannelID, &raw, &l.Error, &updated); err != nil {
			return nil, fmt.Errorf("store: cached models in %s: %w", s.path, err)
		}
		if json.Unmarshal([]byte(raw), &l.Models) != nil || l.Models == nil {
			l.Models = []string{}
		}
		l.UpdatedAt = time.UnixMilli(updated)
		out[l.ChannelID] = l
	}
	return out, rows.Err()
}

// SetChannelModels records a fetch of a channel's model list. With a
// non-empty fetchErr the models already cached are kept and models is
// ignored: a provider that is down for a minute does not empty the picker.
// A channel deleted meanwhile gets no row.
func (s *Store) SetChannelModels(ctx context.Context, channelID int64, models []string, fetchErr string) error {
	enc, err := jsonOr(models, "[]")
	if err != nil {
		return fmt.Errorf("store: save models of channel %d in %s: %w", channelID, s.path, err)
	}
	err = s.write(ctx, TopicModels, func(tx rtx) error {
		if fetchErr != "" {
			_, err := tx.ExecContext(ctx, `INSERT INTO channel_models (channel_id, models, error, updated_at)
			SELECT id, '[]', ?, ? FROM channels WHERE id = ?
			ON CONFLICT (channel_id) DO UPDATE SET error = excluded.error, updated_at = excluded.updated_at`,
				fetchErr, nowMS(), channelID)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO channel_models (channel_id, models, error, updated_at)
		SELECT id, ?, '', ? FROM channels WHERE id = ?
		ON CONFLICT (channel_id) DO UPDATE SET models = excluded.models, error = '', updated_at = excluded.updated_at`,
			enc, nowMS(), channelID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save models of channel %d in %s: %w", channelID, s.path, err)
	}
	return nil
}

// Balance is the last answer to a channel's balance query. Remaining and
// Used are nil when the provider does not report them; Available is nil
// unless the provider says whether calls are accepted. A failed refresh
// keeps the numbers of the last answer (CheckedAt) and sets Error.
type Balance struct {
	ChannelID int64
	Remaining *float64
	Used      *float64
	Unit      string
	Available *bool
	ResetAt   time.Time // zero when the provider names none
	Error     string
	CheckedAt time.Time // last successful answer; zero if none
	UpdatedAt time.Time // last attempt
}

const balanceColumns = `channel_id, remaining, used, unit, available, reset_at, error, checked_at, updated_at`

// ChannelBalance returns the cached balance of a channel; ok is false when
// it was never asked.
func (s *Store) ChannelBalance(ctx context.Context, channelID int64) (Balance, bool, error) {
	b, err := scanBalance(s.db.QueryRowContext(ctx, "SELECT "+balanceColumns+" FROM channel_balances WHERE channel_id = ?", channelID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Balance{ChannelID: channelID}, false, nil
	case err != nil:
		return b, false, fmt.Errorf("store: balance of channel %d in %s: %w", channelID, s.path, err)
	}
	return b, true, nil
}

// Balances returns every cached balance, by channel id.
func (s *Store) Balances(ctx context.Context) (map[int64]Balance, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+balanceColumns+" FROM channel_balances")
	if err != nil {
		return nil, fmt.Errorf("store: balances in %s: %w", s.path, err)
	}
	defer rows.Close()
	out := map[int64]Balance{}
	for rows.Next() {
		b, err := scanBalance(rows)
		if err != nil {
			return nil, fmt.Errorf("store: balances in %s: %w", s.path, err)
		}
		out[b.ChannelID] = b
	}
	return out, rows.Err()
}

// SetChannelBalance records a balance answer (b.Error empty) or a failed
// attempt (b.Error set: the numbers of the last answer stay). It returns
// the row as stored. A channel deleted meanwhile gets no row (ErrNotFound).
func (s *Store) SetChannelBalance(ctx context.Context, b Balance) (Balance, error) {
	now := nowMS()
	err := s.write(ctx, TopicBalances, func(tx rtx) error {
		var res sql.Result
		var err error
		if b.Error != "" {
			res, err = tx.ExecContext(ctx, `INSERT INTO channel_balances (channel_id, unit, error, updated_at)
			SELECT id, '', ?, ? FROM channels WHERE id = ?
			ON CONFLICT (channel_id) DO UPDATE SET error = excluded.error, updated_at = excluded.updated_at`,
				b.Error, now, b.ChannelID)
		} else {
			var reset int64
			if !b.ResetAt.IsZero() {
				reset = b.ResetAt.UnixMilli()
			}
			res, err = tx.ExecContext(ctx, `INSERT INTO channel_balances (`+balanceColumns+`)
			SELECT id, ?, ?, ?, ?, ?, '', ?, ? FROM channels WHERE id = ?
			ON CONFLICT (channel_id) DO UPDATE SET remaining = excluded.remaining, used = excluded.used,
			unit = excluded.unit, available = excluded.available, reset_at = excluded.reset_at, error = '',
			checked_at = excluded.checked_at, updated_at = excluded.updated_at`,
				nullFloat(b.Remaining), nullFloat(b.Used), b.Unit, nullBool(b.Available), reset, now, now, b.ChannelID)
		}
		if err != nil {
			return err
		}
		return oneRow(res)
	})
	if err != nil {
		return Balance{}, fmt.Errorf("store: save balance of channel %d in %s: %w", b.ChannelID, s.path, err)
	}
	out, _, err := s.ChannelBalance(ctx, b.ChannelID)
	return out, err
}

// deleteAccountCaches removes a deleted channel's cached models and balance
// in the delete's transaction.
func deleteAccountCaches(ctx context.Context, tx rtx, channelID int64) error {
	for _, table := range []string{"channel_models", "channel_balances"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE channel_id = ?", channelID); err != nil {
			return err
		}
	}
	return nil
}

func scanBalance(r scanner) (Balance, error) {
	var (
		b                           Balance
		remaining, used             sql.NullFloat64
		available                   sql.NullBool
		reset, checked, updatedTime int64
	)
	if err := r.Scan(&b.ChannelID, &remaining, &used, &b.Unit, &available, &reset, &b.Error, &checked, &updatedTime); err != nil {
		return b, err
	}
	if remaining.Valid {
		b.Remaining = &remaining.Float64
	}
	if used.Valid {
		b.Used = &used.Float64
	}
	if available.Valid {
		b.Available = &available.Bool
	}
	if reset > 0 {
		b.ResetAt = time.UnixMilli(reset)
	}
	if checked > 0 {
		b.CheckedAt = time.UnixMilli(checked)
	}
	b.UpdatedAt = time.UnixMilli(updatedTime)
	return b, nil
}

func nullFloat(f *float64) sql.NullFloat64 {
	if f == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *f, Valid: true}
}

func nullBool(v *bool) sql.NullBool {
	if v == nil {
		return sql.NullBool{}
	}
	return sql.NullBool{Bool: *v, Valid: true}
}
