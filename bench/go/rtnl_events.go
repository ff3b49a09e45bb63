// The rtnetlink events side of go-peer: vishvananda's AddrSubscribeWithOptions and
// RouteSubscribeWithOptions as a receiver, and a trigger that makes route
// changes one at a time and says when it made each (CLOCK_MONOTONIC and
// CLOCK_REALTIME, so receivers in other processes can measure the delay).
//
//	go-peer -netns NAME -subscribe storm|idle -sentinel CIDR
//	go-peer -netns NAME -trigger N -gap-ms MS -sentinel CIDR
//
// A receiver prints {"ready":true} once subscribed, then on the sentinel
// route (or SIGTERM) one JSON line: what it received, the errors its
// ErrorCallback got, whether a channel closed (vishvananda ends a
// subscription at its first receive error), its own CPU time over the run
// (getrusage), and for -subscribe idle the monotonic receive time of each
// route. Default options: the socket's default receive buffer.
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

func monoNs() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

func cpuNs() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

type subscribeResult struct {
	Addr       int              `json:"addr"`
	Route      int              `json:"route"`
	Errors     []string         `json:"errors"`
	Closed     bool             `json:"closed"`
	ClosedAtNs int64            `json:"closedAtNs"`
	FirstNs    int64            `json:"firstNs"`
	LastNs     int64            `json:"lastNs"`
	CPUNs      int64            `json:"cpuNs"`
	Sentinel   bool             `json:"sentinel"`
	Recv       map[string]int64 `json:"recv,omitempty"`
}

func subscribe(ns netns.NsHandle, mode string, sentinel string) {
	var mu sync.Mutex
	res := subscribeResult{Errors: []string{}}
	if mode == "idle" {
		res.Recv = map[string]int64{}
	}
	onErr := func(err error) {
		mu.Lock()
		res.Errors = append(res.Errors, err.Error())
		mu.Unlock()
	}
	done := make(chan struct{})
	// A nil channel never receives: idle follows routes only, and a channel
	// that closed is left out of the select (not read again and again).
	var addrs chan netlink.AddrUpdate
	routes := make(chan netlink.RouteUpdate, 4096)
	if mode == "storm" {
		addrs = make(chan netlink.AddrUpdate, 4096)
		if err := netlink.AddrSubscribeWithOptions(addrs, done, netlink.AddrSubscribeOptions{Namespace: &ns, ErrorCallback: onErr}); err != nil {
			fmt.Fprintf(os.Stderr, "go-peer: AddrSubscribe: %v\n", err)
			os.Exit(1)
		}
	}
	if err := netlink.RouteSubscribeWithOptions(routes, done, netlink.RouteSubscribeOptions{Namespace: &ns, ErrorCallback: onErr}); err != nil {
		fmt.Fprintf(os.Stderr, "go-peer: RouteSubscribe: %v\n", err)
		os.Exit(1)
	}
	cpu0 := cpuNs()
	finished := make(chan struct{})
	var once sync.Once
	finish := func() { once.Do(func() { close(finished) }) }
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		finish()
	}()
	seen := func() {
		now := monoNs()
		if res.FirstNs == 0 {
			res.FirstNs = now
		}
		res.LastNs = now
	}
	// vishvananda closes a subscription's channel at its first receive error.
	closed := func() {
		mu.Lock()
		if !res.Closed {
			res.Closed, res.ClosedAtNs = true, monoNs()
		}
		mu.Unlock()
	}
	go func() {
		for addrs != nil || routes != nil {
			select {
			case _, ok := <-addrs:
				if !ok {
					addrs = nil
					closed()
					continue
				}
				mu.Lock()
				res.Addr++
				seen()
				mu.Unlock()
			case u, ok := <-routes:
				if !ok {
					routes = nil
					closed()
					continue
				}
				mu.Lock()
				res.Route++
				seen()
				dst := ""
				if u.Dst != nil {
					dst = u.Dst.String()
				}
				if res.Recv != nil && u.Type == unix.RTM_NEWROUTE {
					res.Recv[dst] = res.LastNs
				}
				mu.Unlock()
				if dst == sentinel {
					mu.Lock()
					res.Sentinel = true
					mu.Unlock()
					finish()
				}
			}
		}
	}()
	fmt.Println(`{"ready":true}`)
	<-finished
	mu.Lock()
	res.CPUNs = cpuNs() - cpu0
	out, _ := json.Marshal(res)
	mu.Unlock()
	fmt.Println(string(out))
	os.Exit(0)
}

type triggerResult struct {
	Dst    string `json:"dst"`
	MonoNs int64  `json:"monoNs"`
	RealNs int64  `json:"realNs"`
}

// trigger adds n host routes through lo one at a time, gap apart, then the
// sentinel; each change's time is taken just before its request is sent.
func trigger(h *netlink.Handle, n int, gap time.Duration, sentinel string) error {
	lo, err := h.LinkByName("lo")
	if err != nil {
		return err
	}
	out := make([]triggerResult, 0, n)
	add := func(cidr string) (triggerResult, error) {
		_, dst, err := net.ParseCIDR(cidr)
		if err != nil {
			return triggerResult{}, err
		}
		r := triggerResult{Dst: dst.String(), MonoNs: monoNs(), RealNs: time.Now().UnixNano()}
		return r, h.RouteAdd(&netlink.Route{LinkIndex: lo.Attrs().Index, Dst: dst, Scope: netlink.SCOPE_LINK})
	}
	for i := 0; i < n; i++ {
		r, err := add(fmt.Sprintf("198.18.%d.%d/32", i>>8, i&255))
		if err != nil {
			return err
		}
		out = append(out, r)
		time.Sleep(gap)
	}
	if _, err := add(sentinel); err != nil {
		return err
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
	return nil
}
