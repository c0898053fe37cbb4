package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Admission is AdmitKey's answer. When Admitted is false, Reason says why,
// Limit and Used are the limit hit and the usage that reached it, and
// ResetAt is when the limit lets requests through again (zero for a
// revoked, expired or missing key).
type Admission struct {
	Admitted bool
	// Requests is the key's request count in this minute, this one
	// included, when admitted.
	Requests int64
	// Unsure is set instead of a Reason when the check refused only with
	// AdmitQuery.Unsettled added to the counters: that usage may be in
	// them already, so the caller asks again once its write is done.
	Unsure  bool
	Reason  string
	Limit   float64
	Used    float64
	ResetAt time.Time
}

// admitSQL counts one request in the key's current minute if the key is
// active and within its limits, in one statement: the key's row is read
// here, in the database every instance shares, so a revocation or a limit
// edit applies to the next request everywhere, and the minute's count is
// checked and raised atomically (a row lock on PostgreSQL, the write lock
// on SQLite): two instances never both take the last request of a minute.
// Tokens and cost only grow when requests finish (AddKeyUsage), so the
// token and budget checks see what finished before this request arrived;
// the three slack arguments add usage whose write is still under way
// (AdmitQuery.Unsettled) to the minute's tokens, the day's cost and the
// month's cost. Arguments: minute start, key id, now, minute tokens slack,
// day start, day cost slack, month start, month cost slack, minute tokens
// slack again.
const admitSQL = `INSERT INTO key_usage (key_id, period, start, requests, tokens, cost_usd)
	SELECT k.id, 'minute', ?, 1, 0, 0 FROM api_keys k
	WHERE k.id = ? AND k.revoked_at = 0 AND (k.expires_at = 0 OR k.expires_at > ?)
		AND (k.tpm <= 0 OR ? < k.tpm)
		AND (k.budget_daily_usd <= 0 OR COALESCE((SELECT d.cost_usd FROM key_usage d
			WHERE d.key_id = k.id AND d.period = 'day' AND d.start = ?), 0) + ? < k.budget_daily_usd)
		AND (k.budget_monthly_usd <= 0 OR COALESCE((SELECT m.cost_usd FROM key_usage m
			WHERE m.key_id = k.id AND m.period = 'month' AND m.start = ?), 0) + ? < k.budget_monthly_usd)
	ON CONFLICT (key_id, period, start) DO UPDATE SET requests = key_usage.requests + 1
	WHERE (SELECT (l.rpm <= 0 OR key_usage.requests < l.rpm) AND (l.tpm <= 0 OR key_usage.tokens + ? < l.tpm)
		FROM api_keys l WHERE l.id = key_usage.key_id)
	RETURNING requests`

// AdmitQuery is what AdmitKeyWith adds to the check beside the key's row
// and counters.
type AdmitQuery struct {
	// Write is the key's finished usage not yet in the counters, which no
	// one else is writing: it is added to them in the check's transaction,
	// before the check, and is in them once AdmitKeyWith returns without
	// error (whatever the verdict). On error none of it was added. At
	// most MaxAdmitWrite uses.
	Write []KeyUse
	// Unsettled is the key's usage whose write is under way elsewhere
	// (this instance's writer, another check): the check adds it to what
	// the counters hold, so it never admits less strictly than if it had
	// waited for that write (see Admission.Unsure).
	Unsettled []KeyUse
}

// MaxAdmitWrite is how many uses AdmitQuery.Write may hold: each adds to
// at most three rows, well within one statement.
const MaxAdmitWrite = maxUsageRows / 3

// AdmitKey decides whether key id may send a request now: it must exist,
// be neither revoked nor expired, and be under its requests and tokens per
// minute and its daily and monthly budgets. An admitted request is counted
// in the minute at once (reserve before send); its tokens and cost are
// added by AddKeyUsage when it finishes. One database round trip when
// admitted; a second one says why when not.
func (s *Store) AdmitKey(ctx context.Context, id int64, now time.Time) (Admission, error) {
	return s.AdmitKeyWith(ctx, id, now, AdmitQuery{})
}

// AdmitKeyWith is AdmitKey that first adds q.Write to the counters and
// counts q.Unsettled in the check, in one database round trip on
// PostgreSQL (a pipelined batch in one implicit transaction), in one
// transaction on SQLite: a key's next request need not wait for its
// previous one's usage write. A refusal that q.Unsettled may have caused
// comes back Unsure, without a second statement.
func (s *Store) AdmitKeyWith(ctx context.Context, id int64, now time.Time, q AdmitQuery) (Admission, error) {
	p := PeriodsAt(now)
	args := admitArgs(id, now, p, q.Unsettled)
	for try := 0; ; try++ {
		n, ok, err := s.admitOnce(ctx, q.Write, args)
		if err != nil {
			return Admission{}, fmt.Errorf("store: admit key %d in %s: %w", id, s.path, err)
		}
		q.Write = nil // written, whatever the verdict
		if ok {
			return Admission{Admitted: true, Requests: n}, nil
		}
		if len(q.Unsettled) > 0 {
			return Admission{Unsure: true}, nil
		}
		a, err := s.refusal(ctx, id, now, p)
		if err != nil {
			return Admission{}, fmt.Errorf("store: admit key %d in %s: %w", id, s.path, err)
		}
		// Nothing over its limit: the minute or a budget changed between
		// the two statements. Ask once more.
		if a.Reason != "" || try > 0 {
			return a, nil
		}
	}
}

// admitArgs are admitSQL's arguments, with the slack of unsettled usage:
// its tokens in the current minute, its cost in the current day and month.
func admitArgs(id int64, now time.Time, p Periods, unsettled []KeyUse) []any {
	var tokens int64
	var day, month float64
	for _, u := range unsettled {
		if u.KeyID != id {
			continue
		}
		up := PeriodsAt(u.At)
		if up.Minute.Equal(p.Minute) {
			tokens += u.Tokens
		}
		if up.Day.Equal(p.Day) {
			day += u.CostUSD
		}
		if up.Month.Equal(p.Month) {
			month += u.CostUSD
		}
	}
	return []any{p.Minute.UnixMilli(), id, now.UnixMilli(), tokens, p.Day.UnixMilli(), day,
		p.Month.UnixMilli(), month, tokens}
}

// admitOnce writes uses, then runs admitSQL with args: the minute's count
// and whether the request was admitted. On error nothing was written.
func (s *Store) admitOnce(ctx context.Context, uses []KeyUse, args []any) (int64, bool, error) {
	order, sums := usageSums(uses)
	if len(order) > maxUsageRows {
		return 0, false, fmt.Errorf("%d usage rows to write with the check, more than the %d one statement takes", len(order), maxUsageRows)
	}
	if s.d.pg {
		return s.admitBatchPG(ctx, order, sums, args)
	}
	var n int64
	stmt, err := s.admitStmt(ctx)
	if err != nil {
		return 0, false, err
	}
	if len(order) == 0 {
		err = stmt.QueryRowContext(ctx, args...).Scan(&n)
	} else {
		err = s.inCountersTx(ctx, func(tx rtx) error {
			if err := upsertUsage(ctx, tx, order, sums); err != nil {
				return err
			}
			return tx.StmtContext(ctx, stmt).QueryRowContext(ctx, args...).Scan(&n)
		})
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return n, err == nil, err
}

// inCountersTx runs fn in one transaction of the counters' pool and
// commits it, also when fn's check found no row (sql.ErrNoRows, which it
// returns after the commit): the usage written stays written.
func (s *Store) inCountersTx(ctx context.Context, fn func(rtx) error) error {
	tx, err := s.counters.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ferr := fn(tx)
	if ferr != nil && !errors.Is(ferr, sql.ErrNoRows) {
		return ferr
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return ferr
}

// admitStmt is admitSQL prepared once: it runs before every request of a
// key, and SQLite would otherwise parse and plan it each time.
// (database/sql prepares it again on each pooled connection as needed.)
func (s *Store) admitStmt(ctx context.Context) (*sql.Stmt, error) {
	s.admitMu.Lock()
	defer s.admitMu.Unlock()
	if s.admit != nil {
		return s.admit, nil
	}
	stmt, err := s.counters.DB.PrepareContext(ctx, s.d.rebind(admitSQL))
	if err != nil {
		return nil, err
	}
	s.admit = stmt
	return stmt, nil
}

// refusal reads why admitSQL refused key id.
func (s *Store) refusal(ctx context.Context, id int64, now time.Time, p Periods) (Admission, error) {
	var revoked, expires, rpm, tpm, minReq, minTok int64
	var daily, monthly, dayCost, monthCost float64
	err := s.counters.QueryRowContext(ctx, `SELECT k.revoked_at, k.expires_at, k.rpm, k.tpm,
		k.budget_daily_usd, k.budget_monthly_usd,
		COALESCE((SELECT u.requests FROM key_usage u WHERE u.key_id = k.id AND u.period = 'minute' AND u.start = ?), 0),
		COALESCE((SELECT u.tokens FROM key_usage u WHERE u.key_id = k.id AND u.period = 'minute' AND u.start = ?), 0),
		COALESCE((SELECT u.cost_usd FROM key_usage u WHERE u.key_id = k.id AND u.period = 'day' AND u.start = ?), 0),
		COALESCE((SELECT u.cost_usd FROM key_usage u WHERE u.key_id = k.id AND u.period = 'month' AND u.start = ?), 0)
		FROM api_keys k WHERE k.id = ?`, p.Minute.UnixMilli(), p.Minute.UnixMilli(), p.Day.UnixMilli(),
		p.Month.UnixMilli(), id).Scan(&revoked, &expires, &rpm, &tpm, &daily, &monthly, &minReq, &minTok, &dayCost, &monthCost)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Admission{Reason: KeyMissing}, nil
	case err != nil:
		return Admission{}, err
	case revoked != 0:
		return Admission{Reason: KeyRevoked}, nil
	case expires != 0 && expires <= now.UnixMilli():
		return Admission{Reason: KeyExpired, ResetAt: time.UnixMilli(expires)}, nil
	case monthly > 0 && monthCost >= monthly:
		return Admission{Reason: LimitMonthly, Limit: monthly, Used: monthCost, ResetAt: p.MonthEnd}, nil
	case daily > 0 && dayCost >= daily:
		return Admission{Reason: LimitDaily, Limit: daily, Used: dayCost, ResetAt: p.DayEnd}, nil
	case rpm > 0 && minReq >= rpm:
		return Admission{Reason: LimitRPM, Limit: float64(rpm), Used: float64(minReq), ResetAt: p.MinuteEnd}, nil
	case tpm > 0 && minTok >= tpm:
		return Admission{Reason: LimitTPM, Limit: float64(tpm), Used: float64(minTok), ResetAt: p.MinuteEnd}, nil
	}
	return Admission{}, nil
}
