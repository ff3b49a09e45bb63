// A subscription: a multicast socket read on an addon thread for as long
// as it is open, so the kernel's buffer drains while JS is busy. Each wake-up
// reads what is waiting (a batch under a storm, one event when idle),
// parses it into event records and queues them for JS with
// Overflow::Drop: a consumer that falls behind loses events to a counted
// loss marker, never silently, and memory stays bounded.
#pragma once

#include <memory>

#include "events.h"
#include "handle.h"
#include "stream.h"
#include "thread_pool.h"

namespace nlw {

struct SubscriptionJob {
  std::shared_ptr<HandleCore> core;
  std::shared_ptr<AddonThreads> threads;  // the reader runs on one
  std::unique_ptr<NetlinkSocket> sock;    // joined to its groups already
  const EventSource* source;
  size_t chunk_events;  // events per queued chunk at most (<= the queue's bound)
  int rcvbuf;           // the socket's receive buffer as the kernel set it
  MessageFilter keep;   // the subscription's own filter (EventFilter); null: all
};

// Runs until the stream is closed, the handle is closed, or the socket
// fails; false when no thread could be started (the producer is finished
// with that error).
bool start_subscription(SubscriptionJob job, std::unique_ptr<StreamProducer> producer);

}  // namespace nlw
