// Package sse is a minimal k6 extension, `k6/x/sse`: many Server-Sent Events
// connections per VU, read synchronously from the VU's own goroutine.
//
// Why not xk6-sse: it is not served by the Go module proxy this project builds from,
// and one k6 VU per SSE connection (a JS runtime each, megabytes of memory) cannot
// hold 10 000 connections on a 2-core machine. Here one VU opens a pool of
// connections, each a goroutine parsing the stream, and takes events from one queue.
//
//	import sse from "k6/x/sse";
//	const pool = sse.open(url, [{ Cookie: "a" }, { Cookie: "b" }], { events: ["balance"] });
//	const ev = pool.next(1000); // {event, id, data, conn, receivedAtMs} or null after 1000 ms
//	pool.close();
package sse

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.k6.io/k6/js/modules"
)

// queueCapacity bounds the events waiting for the VU; beyond it events are dropped
// and counted (pool.dropped()), so a slow script cannot grow memory without limit.
const queueCapacity = 200_000

// maxLineBytes bounds one SSE line (our events are < 2 KB of JSON).
const maxLineBytes = 1 << 20

// maxConnecting bounds connections being opened at once (until response headers):
// 10 000 simultaneous SYNs would overflow the server's listen backlog (511 in Node).
const maxConnecting = 256

func init() {
	modules.Register("k6/x/sse", new(rootModule))
}

type rootModule struct{}

func (*rootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	return &instance{vu: vu}
}

type instance struct{ vu modules.VU }

func (mi *instance) Exports() modules.Exports {
	return modules.Exports{Named: map[string]any{"open": mi.open}}
}

// Options of open(): events = SSE event names to queue (empty: all).
type Options struct {
	Events []string `js:"events"`
}

// Pool is a set of SSE connections feeding one queue.
type Pool struct {
	queue     chan map[string]any
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	connected atomic.Int64
	failed    atomic.Int64
	dropped   atomic.Int64
	errMu     sync.Mutex
	lastErr   string
	events    map[string]bool
}

// open starts one connection per headers object (all to url) and returns at once;
// connected() tells how many have answered 200.
func (mi *instance) open(url string, headers []map[string]string, opts *Options) *Pool {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool{queue: make(chan map[string]any, queueCapacity), cancel: cancel, events: map[string]bool{}}
	if opts != nil {
		for _, e := range opts.Events {
			p.events[e] = true
		}
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConnsPerHost: -1,
		DisableCompression:  true,
	}}
	connecting := make(chan struct{}, maxConnecting)
	for i, h := range headers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			if err := p.read(ctx, client, url, h, i, connecting); err != nil && ctx.Err() == nil {
				p.failed.Add(1)
				p.errMu.Lock()
				p.lastErr = err.Error()
				p.errMu.Unlock()
			}
		}()
	}
	return p
}

func (p *Pool) read(ctx context.Context, client *http.Client, url string, headers map[string]string, conn int, connecting chan struct{}) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	connecting <- struct{}{}
	res, err := client.Do(req)
	<-connecting
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("connection %d: status %d", conn, res.StatusCode)
	}
	p.connected.Add(1)
	defer p.connected.Add(-1)

	scanner := bufio.NewScanner(res.Body)
	scanner.Buffer(make([]byte, 0, 4096), maxLineBytes)
	var event, id string
	var data strings.Builder
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case line == "":
			if data.Len() > 0 || event != "" {
				p.dispatch(event, id, data.String(), conn)
			}
			event, id = "", ""
			data.Reset()
		case strings.HasPrefix(line, ":"):
			// comment (heartbeat)
		default:
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				event = value
			case "id":
				id = value
			case "data":
				if data.Len() > 0 {
					data.WriteByte('\n')
				}
				data.WriteString(value)
			}
		}
	}
	return scanner.Err()
}

func (p *Pool) dispatch(event, id, data string, conn int) {
	if event == "" {
		event = "message"
	}
	if len(p.events) > 0 && !p.events[event] {
		return
	}
	receivedAtMs := float64(time.Now().UnixNano()) / 1e6
	msg := map[string]any{"event": event, "id": id, "data": data, "conn": conn, "receivedAtMs": receivedAtMs}
	select {
	case p.queue <- msg:
	default:
		p.dropped.Add(1)
	}
}

// Next waits up to timeoutMs for the next queued event; null when none came.
func (p *Pool) Next(timeoutMs int64) map[string]any {
	select {
	case msg := <-p.queue:
		return msg
	case <-time.After(time.Duration(timeoutMs) * time.Millisecond):
		return nil
	}
}

// Connected is the number of connections currently open (answered 200, not ended).
func (p *Pool) Connected() int64 { return p.connected.Load() }

// Failed is the number of connections that could not open or ended with an error.
func (p *Pool) Failed() int64 { return p.failed.Load() }

// Dropped is the number of events lost because the queue was full.
func (p *Pool) Dropped() int64 { return p.dropped.Load() }

// LastError is the last connection error, or "".
func (p *Pool) LastError() string {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.lastErr
}

// Close ends every connection and waits for their goroutines.
func (p *Pool) Close() {
	p.cancel()
	p.wg.Wait()
}
