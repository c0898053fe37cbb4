package observe

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ServeHTTP serves GET /api/events.
//
// As server-sent events (the default), each event is written and flushed as
// it is published: "event: <topic>\nid: <seq>\ndata: <json>\n\n". A client
// resuming with Last-Event-ID (or ?since=<seq>) first gets the kept events
// after it. A ": ping" comment every 15 seconds keeps proxies from closing an
// idle stream. ?topics=request,health picks topics (default: all).
//
// With ?poll=1&since=<seq> it answers at once with JSON
// {"events":[{"seq","topic","data"}],"next":<seq>} for clients that cannot
// stream; pass next as since on the following poll.
//
// The subscription ends when the client goes away.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	topics, err := parseTopics(q.Get("topics"))
	if err != nil {
		writeEventsError(w, http.StatusBadRequest, err.Error())
		return
	}
	since, hasSince, err := parseSeq(q.Get("since"))
	if err != nil {
		writeEventsError(w, http.StatusBadRequest, "since must be an event sequence number (the seq or id of the last event seen)")
		return
	}
	if p := q.Get("poll"); p == "1" || p == "true" {
		events, next := h.Since(since, topics)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(struct {
			Events []Event `json:"events"`
			Next   uint64  `json:"next"`
		}{events, next})
		return
	}
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		if seq, ok, err := parseSeq(id); err == nil && ok {
			since, hasSince = seq, true
		}
	}
	h.stream(w, r, topics, since, hasSince)
}

func (h *Hub) stream(w http.ResponseWriter, r *http.Request, topics []string, since uint64, resume bool) {
	var sub *Subscription
	var replay []Event
	if resume {
		sub, replay = h.SubscribeAfter(topics, since)
	} else {
		sub = h.Subscribe(topics)
	}
	defer sub.Close()

	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // nginx and friends: do not buffer
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)

	var buf bytes.Buffer
	buf.WriteString("retry: 3000\n\n")
	for _, ev := range replay {
		appendEvent(&buf, ev)
	}
	if !h.send(w, rc, &buf) {
		return
	}
	ping := time.NewTicker(h.pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev := <-sub.C:
			if n := sub.Missed(); n > 0 {
				buf.WriteString("event: " + TopicDropped + "\ndata: {\"missed\":")
				buf.WriteString(strconv.FormatInt(n, 10))
				buf.WriteString("}\n\n")
			}
			appendEvent(&buf, ev)
		case <-ping.C:
			buf.WriteString(": ping\n\n")
		}
		if !h.send(w, rc, &buf) {
			return
		}
	}
}

// send writes and flushes buf, reporting whether the client is still there.
func (h *Hub) send(w http.ResponseWriter, rc *http.ResponseController, buf *bytes.Buffer) bool {
	_, err := w.Write(buf.Bytes())
	buf.Reset()
	if err == nil {
		err = rc.Flush()
	}
	if err != nil {
		h.log.Debug("live events client gone", "error", err)
		return false
	}
	return true
}

// appendEvent writes one SSE event. Data is compact JSON (json.Marshal
// output), so it holds no newline and fits one data: line.
func appendEvent(buf *bytes.Buffer, ev Event) {
	buf.WriteString("event: ")
	buf.WriteString(ev.Topic)
	buf.WriteString("\nid: ")
	buf.WriteString(strconv.FormatUint(ev.Seq, 10))
	buf.WriteString("\ndata: ")
	buf.Write(ev.Data)
	buf.WriteString("\n\n")
}

type topicError string

func (e topicError) Error() string {
	return "unknown topic " + strconv.Quote(string(e)) + ": use topics=request,health,change"
}

func parseTopics(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for t := range strings.SplitSeq(s, ",") {
		t = strings.TrimSpace(t)
		switch t {
		case "":
		case TopicRequest, TopicHealth, TopicChange:
			out = append(out, t)
		default:
			return nil, topicError(t)
		}
	}
	return out, nil
}

func parseSeq(s string) (seq uint64, ok bool, err error) {
	if s == "" {
		return 0, false, nil
	}
	seq, err = strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	return seq, err == nil, err
}

func writeEventsError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"type": "invalid_request", "message": msg}})
}
