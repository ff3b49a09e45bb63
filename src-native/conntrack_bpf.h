// A classic BPF socket filter for conntrack event subscriptions, compiled
// from the built-in filters (conntrack_filter.h), as libnetfilter_conntrack
// does for `conntrack -E`. The kernel runs it on each event before queueing
// it, in the sending context: events that cannot match cost the reader
// nothing, and never fill its receive buffer.
//
// The program accepts a superset of what CtFilterSet::match accepts: every
// condition it cannot express (labels, IPv6 networks, IPv4 networks on
// IPv6 flows, whose IPv4-mapped addresses the matcher treats as IPv4)
// counts as met, and expectation messages pass whole. The native matcher
// then decides exactly, so the filter only ever makes things faster.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "conntrack_filter.h"

namespace nlw {

// The program for events of `family` (0: any) matching any of `filters`
// (none: every flow of the family). Empty when it would not drop anything,
// or would not fit the kernel's limits.
std::vector<sock_filter> conntrack_event_bpf(int family, const CtFilterSet* filters);

}  // namespace nlw
