package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// holdPrefix is the base path of the channel used for the concurrent-stream
// ramp: the mock serves it with holdPace between events, so a stream stays
// open long enough for every stream of a step to be open at once.
const holdPrefix = "/hold"

// firstBytePrefix is the base path of the channel whose replies hold their
// first byte for FirstByte, as a real provider's time to first byte does:
// the key phase measures there how much of a key's check the upstream's
// wait hides.
const firstBytePrefix = "/ttfb"

// mockConfig is the shape of the mock upstream's streamed replies.
type mockConfig struct {
	// TextEvents is the number of text deltas in a stream; the framing
	// events (message_start, stops, usage) come on top.
	TextEvents int
	// Pace is the delay between two events of a normal stream.
	Pace time.Duration
	// HoldPace is the delay between two events on holdPrefix paths.
	HoldPace time.Duration
	// FirstByte is how long replies on firstBytePrefix paths wait (after
	// the request body is read) before their first byte.
	FirstByte time.Duration
}

// mock is an upstream with zero delay for JSON replies (FirstByte on
// firstBytePrefix paths) and a fixed pace for streams. It answers Anthropic Messages and OpenAI Chat Completions
// by path, so one server stands in for both channel types. Safe for
// concurrent use.
type mock struct {
	cfg  mockConfig
	bufs sync.Pool
}

// anthropicReply and openAIReply are short, realistic non-streamed replies
// with usage, so the engine's usage tee has work to do.
const anthropicReply = `{"id":"msg_bench","type":"message","role":"assistant","model":"claude-opus-4-8",` +
	`"content":[{"type":"text","text":"Done. The function now returns early when the list is empty."}],` +
	`"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12650,` +
	`"cache_creation_input_tokens":0,"cache_read_input_tokens":11800,"output_tokens":18}}`

const openAIReply = `{"id":"chatcmpl-bench","object":"chat.completion","created":1760000000,"model":"gpt-4.1",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"Done. The function now returns early when the list is empty."},` +
	`"finish_reason":"stop"}],"usage":{"prompt_tokens":12650,"completion_tokens":18,"total_tokens":12668}}`

// ServeHTTP reads the whole request body, as a real upstream does, then
// answers in the format the path names, streamed when the body asks.
func (m *mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	buf, _ := m.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	_, err := io.Copy(buf, r.Body)
	stream := bytes.Contains(buf.Bytes(), []byte(`"stream":true`))
	m.bufs.Put(buf)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if strings.HasPrefix(r.URL.Path, firstBytePrefix) {
		time.Sleep(m.cfg.FirstByte)
	}
	openAI := strings.HasSuffix(r.URL.Path, "/chat/completions")
	if !stream {
		w.Header().Set("Content-Type", "application/json")
		if openAI {
			io.WriteString(w, openAIReply)
		} else {
			io.WriteString(w, anthropicReply)
		}
		return
	}
	pace := m.cfg.Pace
	if strings.HasPrefix(r.URL.Path, holdPrefix) {
		pace = m.cfg.HoldPace
	}
	events := anthropicEvents(m.cfg.TextEvents)
	if openAI {
		events = openAIEvents(m.cfg.TextEvents)
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher, _ := w.(http.Flusher)
	for i, ev := range events {
		if i > 0 {
			time.Sleep(pace)
		}
		if _, err := io.WriteString(w, ev); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
}

// anthropicEvents is a streamed Anthropic reply with n text deltas whose
// text is "s<index> ", so the client can check order and loss.
func anthropicEvents(n int) []string {
	evs := []string{
		"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-opus-4-8\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12650,\"cache_read_input_tokens\":11800,\"output_tokens\":1}}}\n\n",
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
	}
	for i := range n {
		evs = append(evs, fmt.Sprintf("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"s%d \"}}\n\n", i))
	}
	return append(evs,
		"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":"+fmt.Sprint(n*2)+"}}\n\n",
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
	)
}

// openAIEvents is the OpenAI Chat Completions twin of anthropicEvents.
func openAIEvents(n int) []string {
	const head = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1760000000,"model":"gpt-4.1","choices":[`
	evs := []string{head + `{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}` + "\n\n"}
	for i := range n {
		evs = append(evs, fmt.Sprintf(head+`{"index":0,"delta":{"content":"s%d "},"finish_reason":null}]}`+"\n\n", i))
	}
	return append(evs,
		head+`{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n",
		head+`],"usage":{"prompt_tokens":12650,"completion_tokens":`+fmt.Sprint(n*2)+`,"total_tokens":12680}}`+"\n\n",
		"data: [DONE]\n\n",
	)
}

// servers are the listeners of one run: the mock upstream in this process
// and a bare reverse proxy in front of it in a child process, so that the
// proxy, like Routex, has its own process and does not share a Go runtime
// with the load generator.
type servers struct {
	mockURL string
	bareURL string
	closers []func()
}

// startServers starts the mock upstream on loopback and the bare proxy
// (this same program, run with -bare-proxy) in front of it.
func startServers(cfg mockConfig) (*servers, error) {
	s := &servers{}
	mockURL, stop, err := serve(&mock{cfg: cfg})
	if err != nil {
		return nil, err
	}
	s.mockURL = mockURL
	s.closers = append(s.closers, stop)
	bareURL, stop, err := startBareChild(mockURL)
	if err != nil {
		s.close()
		return nil, err
	}
	s.bareURL = bareURL
	s.closers = append(s.closers, stop)
	return s, nil
}

func (s *servers) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// startBareChild runs this program as the bare proxy to mockURL (or, with
// several URLs separated by commas, as a round-robin load balancer) and
// reads the URL it listens on from its first line of output.
func startBareChild(mockURL string) (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, fmt.Errorf("find this program to run the bare proxy: %w", err)
	}
	cmd := exec.Command(self, "-bare-proxy", mockURL)
	cmd.Stderr = os.Stderr
	// The child exits when its stdin closes, so it never outlives the bench.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start the bare proxy: %w", err)
	}
	stop := func() {
		stdin.Close()
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("bare proxy gave no address: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}

// bareProxyMaxConns is the bare proxy's idle pool per host: as many as the
// highest concurrency measured, so it is a strong baseline.
const bareProxyMaxConns = 256

// bufferBody reads the whole request body before next sees it. Without it
// the stdlib proxy races itself: once the upstream answers, writing the
// reply headers closes the inbound body while the transport still reads it
// to check its length, and the upstream connection is torn down mid-stream
// (golang/go#40747). Routex reads the body first too, to route it, so this
// keeps the baseline fair as well as correct.
func bufferBody(next http.Handler) http.Handler {
	var pool sync.Pool
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf, _ := pool.Get().(*bytes.Buffer)
		if buf == nil {
			buf = new(bytes.Buffer)
		}
		buf.Reset()
		defer pool.Put(buf)
		if _, err := buf.ReadFrom(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
		r.ContentLength = int64(buf.Len())
		next.ServeHTTP(w, r)
	})
}

// runBareProxy is the child process: an httputil.ReverseProxy to target
// that flushes every write, on a fresh loopback port it prints, until
// SIGTERM or the end of its stdin. Several comma-separated targets take
// turns (round robin): the load balancer of the two-instance run.
func runBareProxy(target string) error {
	var us []*url.URL
	for _, t := range strings.Split(target, ",") {
		u, err := url.Parse(t)
		if err != nil {
			return fmt.Errorf("bare proxy target %q: %w", t, err)
		}
		us = append(us, u)
	}
	var next atomic.Uint64
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(us[(next.Add(1)-1)%uint64(len(us))])
		},
		FlushInterval: -1,
		Transport:     newTransport(bareProxyMaxConns),
		ErrorLog:      log.New(os.Stderr, "bare proxy: ", 0),
	}
	addr, stop, err := serve(bufferBody(rp))
	if err != nil {
		return err
	}
	defer stop()
	fmt.Println(addr)
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	select {
	case <-sig:
	case <-done:
	}
	return nil
}

// serve runs h on a fresh loopback port.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// newTransport is the tuned client transport: enough idle connections for
// every concurrent request, no compression, loopback dial timeouts.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
}
