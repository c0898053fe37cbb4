package clients

// This file is the merge logic, without I/O: which keys change, what they
// held before, and how to put that back.

// format is one kind of settings file.
type format interface {
	// parse reads a file's bytes (nil when the file is missing).
	parse(path string, data []byte) (doc, error)
	// changes lists the keys an attach sets or removes, in order.
	changes(o AttachOptions) []change
	// baseKey is the key holding the base URL, for Status.
	baseKey() string
	// toolURL is the base URL an attach with o writes (Codex's ends in /v1).
	toolURL(o AttachOptions) string
	// base is the base URL the tool is pointed at now, "" for its default.
	base(d doc) string
}

// doc is a parsed settings file that keeps every byte it does not change.
type doc interface {
	// lookup returns a key's raw form (a JSON value, a whole .env line),
	// its string value, whether that value is a string, and whether the key
	// exists.
	lookup(key string) (raw, value string, isString, ok bool)
	set(key, value string) error
	// setRaw puts back a raw form lookup returned.
	setRaw(key, raw string) error
	// after names the key before key in its block ("" when key is first),
	// and insertRaw puts a removed key back there.
	after(key string) string
	insertRaw(key, raw, after string) error
	remove(key string) error
	// hasContainer says whether the block the keys live in exists (the
	// "env" object of settings.json); dropEmptyContainer removes it again
	// when it is empty.
	hasContainer() bool
	dropEmptyContainer() error
	render() ([]byte, error)
}

// stringKey is a key's value when it is a string, else "".
func stringKey(d doc, key string) string {
	if _, value, isString, ok := d.lookup(key); ok && isString {
		return value
	}
	return ""
}

// change is one key an attach writes (remove false) or deletes.
type change struct {
	key    string
	value  string
	remove bool
}

// keyRecord is what Routex replaced in one key: enough to put it back, and
// to tell whether the value is still Routex's.
type keyRecord struct {
	Key string `json:"key"`
	// Wrote is the value Routex wrote; nil when Routex removed the key.
	Wrote *string `json:"wrote"`
	// Had says whether the key existed before Routex touched it, and Prev
	// is its raw form then.
	Had  bool   `json:"had"`
	Prev string `json:"prev,omitempty"`
	// After is the key the removed one followed, so it goes back in place.
	After string `json:"after,omitempty"`
}

// ours reports whether a key still holds what Routex left in it.
func (r keyRecord) ours(d doc) bool {
	_, value, isString, ok := d.lookup(r.Key)
	if r.Wrote == nil {
		return !ok
	}
	return ok && isString && value == *r.Wrote
}

// apply makes the changes in d and returns the records Detach needs. A key
// Routex already holds (old, from an earlier attach) keeps its original
// record, so detaching after two attaches restores the user's value, not
// the first attach's. Keys of the earlier attach that this one no longer
// sets are restored now: the file then reflects this attach alone.
func apply(d doc, old []keyRecord, changes []change) ([]keyRecord, error) {
	prior := make(map[string]keyRecord, len(old))
	for _, r := range old {
		prior[r.Key] = r
	}
	out := make([]keyRecord, 0, len(changes))
	for _, ch := range changes {
		raw, _, _, ok := d.lookup(ch.key)
		rec := keyRecord{Key: ch.key, Had: ok, Prev: raw}
		if ok && ch.remove {
			rec.After = d.after(ch.key)
		}
		if p, found := prior[ch.key]; found && p.ours(d) {
			rec.Had, rec.Prev, rec.After = p.Had, p.Prev, p.After
		}
		delete(prior, ch.key)
		var err error
		switch {
		case ch.remove:
			if ok {
				err = d.remove(ch.key)
			}
		default:
			v := ch.value
			rec.Wrote = &v
			err = d.set(ch.key, v)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	for _, r := range old {
		if _, left := prior[r.Key]; left {
			if _, err := revertKey(d, r); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// revert puts back every recorded key still holding Routex's value and
// returns the keys it left alone because the user changed them since.
func revert(d doc, keys []keyRecord, createdContainer bool) (kept []string, err error) {
	for _, r := range keys {
		restored, err := revertKey(d, r)
		if err != nil {
			return nil, err
		}
		if !restored {
			kept = append(kept, r.Key)
		}
	}
	if createdContainer {
		if err := d.dropEmptyContainer(); err != nil {
			return nil, err
		}
	}
	return kept, nil
}

func revertKey(d doc, r keyRecord) (bool, error) {
	if !r.ours(d) {
		return false, nil
	}
	switch {
	case r.Had && r.Wrote == nil:
		return true, d.insertRaw(r.Key, r.Prev, r.After)
	case r.Had:
		return true, d.setRaw(r.Key, r.Prev)
	case r.Wrote != nil:
		return true, d.remove(r.Key)
	}
	return true, nil // removed by Routex, absent before: nothing to do
}
