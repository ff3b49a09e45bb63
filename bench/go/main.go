// go-peer: the Go vishvananda/netlink side of the nlwrap benchmark (npm run bench).
// Per kind it calls the library REPS times in-process on a Handle opened in the
// namespace and prints the median per call, from the call to the returned
// slice of typed objects, and the kind's first call, as one JSON line per kind.
//
//	go-peer -netns NAME -reps N links addrs routes xfrm conntrack
//	go-peer -netns NAME -reps N -link IFINDEX addrs1
//	go-peer -netns NAME -reps N -mark M ctdelete
//	go-peer -netns NAME -subscribe storm|idle -sentinel CIDR   (rtnl_events.go)
//	go-peer -netns NAME -trigger N -gap-ms MS -sentinel CIDR  (rtnl_events.go)
//
// Built offline in GOPATH mode against Debian's golang-github-vishvananda-netlink-dev
// (GO111MODULE=off GOPATH=/usr/share/gocode); Debian's copy is older than
// upstream v1.3 but has every call used here. Calls match what nlwrap is asked
// for: LinkList, AddrList(nil, FAMILY_ALL), RouteListFiltered(FAMILY_ALL,
// &Route{Table: 0}, RT_FILTER_TABLE) (every table), XfrmPolicyList(FAMILY_ALL),
// ConntrackTableList(ConntrackTable, AF_UNSPEC). addrs1 is AddrList(link,
// FAMILY_ALL) for one link (vishvananda dumps every address and filters in Go).
//
// ctdelete times ConntrackDeleteFilter with a mark filter, once for each of
// the marks M, M+1, ... (REPS of them: a delete cannot be repeated), and
// reports the median and the first count. It deletes per family (AF_INET,
// then AF_INET6): Debian's copy sends each delete with the dump's family and
// ignores the answer, so with AF_UNSPEC it would count flows it never deleted.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

type result struct {
	Kind     string  `json:"kind"`
	Count    int     `json:"count"`
	MedianMs float64 `json:"median_ms"`
	// The kind's first call in this process (not part of the median): what
	// a CLI run or an agent's start-up sees. Run one kind per process to
	// get each kind's first call.
	FirstMs float64 `json:"first_ms,omitempty"`
}

func main() {
	nsName := flag.String("netns", "", "namespace name under /var/run/netns")
	reps := flag.Int("reps", 10, "timed calls per kind")
	mark := flag.Uint("mark", 0, "first mark for ctdelete")
	linkIndex := flag.Int("link", 0, "ifindex for addrs1 (AddrList of one link)")
	subscribeMode := flag.String("subscribe", "", "storm or idle: receive address and route events (rtnl_events.go)")
	triggerN := flag.Int("trigger", 0, "make this many route changes one at a time (rtnl_events.go)")
	gapMs := flag.Int("gap-ms", 5, "milliseconds between the trigger's changes")
	sentinel := flag.String("sentinel", "198.51.100.255/32", "the route that ends a receiver")
	flag.Parse()

	ns, err := netns.GetFromName(*nsName)
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-peer: netns %s: %v\n", *nsName, err)
		os.Exit(1)
	}
	if *subscribeMode != "" {
		subscribe(ns, *subscribeMode, *sentinel)
	}
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-peer: handle: %v\n", err)
		os.Exit(1)
	}
	defer h.Delete()
	if *triggerN > 0 {
		if err := trigger(h, *triggerN, time.Duration(*gapMs)*time.Millisecond, *sentinel); err != nil {
			fmt.Fprintf(os.Stderr, "go-peer: trigger: %v\n", err)
			os.Exit(1)
		}
		return
	}

	calls := map[string]func() (int, error){
		"links": func() (int, error) { l, err := h.LinkList(); return len(l), err },
		"addrs": func() (int, error) { a, err := h.AddrList(nil, netlink.FAMILY_ALL); return len(a), err },
		"addrs1": func() (int, error) {
			// AddrList reads only the index of the link it is given.
			l := &netlink.Dummy{LinkAttrs: netlink.LinkAttrs{Index: *linkIndex}}
			a, err := h.AddrList(l, netlink.FAMILY_ALL)
			return len(a), err
		},
		"routes": func() (int, error) {
			r, err := h.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: 0}, netlink.RT_FILTER_TABLE)
			return len(r), err
		},
		"xfrm": func() (int, error) { p, err := h.XfrmPolicyList(netlink.FAMILY_ALL); return len(p), err },
		"conntrack": func() (int, error) {
			f, err := h.ConntrackTableList(netlink.ConntrackTable, netlink.InetFamily(0))
			return len(f), err
		},
	}

	status := 0
	for _, kind := range flag.Args() {
		if kind == "ctdelete" {
			if err := ctdelete(h, uint32(*mark), *reps); err != nil {
				fmt.Fprintf(os.Stderr, "go-peer: ctdelete: %v\n", err)
				status = 1
			}
			continue
		}
		call, ok := calls[kind]
		if !ok {
			fmt.Fprintf(os.Stderr, "go-peer: unknown kind %s\n", kind)
			os.Exit(2)
		}
		t0 := time.Now()
		count, err := call() // warm-up, not in the median
		first := float64(time.Since(t0).Nanoseconds()) / 1e6
		times := make([]float64, 0, *reps)
		for i := 0; i < *reps && err == nil; i++ {
			t0 := time.Now()
			count, err = call()
			times = append(times, float64(time.Since(t0).Nanoseconds())/1e6)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "go-peer: %s: %v\n", kind, err)
			status = 1
			continue
		}
		sort.Float64s(times)
		n := len(times)
		median := times[n/2]
		if n%2 == 0 {
			median = (times[n/2-1] + times[n/2]) / 2
		}
		out, _ := json.Marshal(result{Kind: kind, Count: count, MedianMs: median, FirstMs: first})
		fmt.Println(string(out))
		runtime.GC() // the next kind starts without this one's garbage
	}
	os.Exit(status)
}

type markFilter uint32

func (m markFilter) MatchConntrackFlow(flow *netlink.ConntrackFlow) bool {
	return flow.Mark == uint32(m)
}

func ctdelete(h *netlink.Handle, first uint32, reps int) error {
	times := make([]float64, 0, reps)
	count := 0
	for i := 0; i < reps; i++ {
		n := uint(0)
		t0 := time.Now()
		for _, fam := range []netlink.InetFamily{unix.AF_INET, unix.AF_INET6} {
			d, err := h.ConntrackDeleteFilter(netlink.ConntrackTable, fam, markFilter(first+uint32(i)))
			if err != nil {
				return err
			}
			n += d
		}
		times = append(times, float64(time.Since(t0).Nanoseconds())/1e6)
		if i == 0 {
			count = int(n)
		}
	}
	sort.Float64s(times)
	k := len(times)
	median := times[k/2]
	if k%2 == 0 {
		median = (times[k/2-1] + times[k/2]) / 2
	}
	out, _ := json.Marshal(result{Kind: "ctdelete", Count: count, MedianMs: median})
	fmt.Println(string(out))
	return nil
}
