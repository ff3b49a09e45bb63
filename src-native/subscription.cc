// See subscription.h.
#include "subscription.h"

#include <errno.h>
#include <linux/netlink.h>

#include "thread_pool.h"

namespace nlw {

namespace {

void run(SubscriptionJob& job, StreamProducer& p) {
  const Schema& root = *find_schema("event");
  auto out = std::make_unique<RecordSet>(root);
  size_t events = 0;
  ChannelEnd end;
  const CancelFds cancel{job.core->cancel_fd(), p.stop_fd()};
  p.channel().merge_up_to(job.chunk_events);
  ByteBuf buf;
  // ENOBUFS is reported before the datagrams still queued, which are older
  // than the ones the kernel dropped: the marker goes after them, once
  // the queue was seen empty or a whole receive buffer's worth was read
  // (more than it can have held), so whoever re-lists at the marker never
  // applies an older event over a newer listing.
  bool loss_pending = false;
  int64_t loss_bytes_left = 0;

  auto flush = [&]() -> bool {
    if (events == 0) return true;
    bool ok = p.channel().push(std::move(out), events, static_cast<int64_t>(events));
    out = std::make_unique<RecordSet>(root);
    events = 0;
    return ok;
  };

  for (;;) {
    NlError err;
    if (!job.sock->wait_readable(-1, cancel, &err)) {
      if (err.code == "ERR_CANCELLED" || err.code == "ERR_HANDLE_CLOSED") {
        end.cancelled = true;
      } else {
        end.ok = false;
        end.err = err;
      }
      break;
    }
    bool drained = false, failed = false;
    for (int d = 0; d < 256 && events < job.chunk_events; d++) {
      buf.clear();
      ssize_t n = job.sock->receive(&buf, &err);
      if (n == 0) {
        drained = true;
        break;
      }
      if (n < 0) {
        if (err.errnum == ENOBUFS) {
          loss_pending = true;
          loss_bytes_left = job.rcvbuf;
          err = NlError();
          continue;
        }
        failed = true;
        break;
      }
      end.bytes += static_cast<uint64_t>(n);
      end.datagrams++;
      if (loss_pending) loss_bytes_left -= n;
      ParseError pe;
      size_t before = events;
      for_each_message(buf.data(), static_cast<size_t>(n), &pe, [&](const Message& m) {
        if (m.type() < NLMSG_MIN_TYPE) return true;  // no event in control messages
        end.messages++;
        if (job.keep && !job.keep(m)) return !pe;  // filtered out: no record made
        if (parse_event(*job.source, m, *out)) events++;
        return !pe;
      });
      if (pe) {
        // A malformed event may have left half a record: the chunk goes,
        // and says so.
        int64_t dropped = static_cast<int64_t>(events) + (events == before ? 1 : 0);
        out = std::make_unique<RecordSet>(root);
        events = 0;
        p.channel().lost("EBADMSG", dropped);
      }
    }
    if (failed) {
      flush();
      end.ok = false;
      end.err = err;
      break;
    }
    if (!flush()) {
      end.cancelled = true;
      break;
    }
    if (loss_pending && (drained || loss_bytes_left <= 0)) {
      p.channel().lost("ENOBUFS", -1);
      loss_pending = false;
    }
  }
  job.core->release(std::move(job.sock));
  p.finish(std::move(end));
}

}  // namespace

bool start_subscription(SubscriptionJob job, std::unique_ptr<StreamProducer> producer) {
  auto shared_job = std::make_shared<SubscriptionJob>(std::move(job));
  std::shared_ptr<StreamProducer> p(std::move(producer));
  AddonThreads* threads = shared_job->threads.get();
  bool started = threads->submit([shared_job, p] { run(*shared_job, *p); });
  if (!started) {
    shared_job->core->release(std::move(shared_job->sock));
    ChannelEnd end;
    end.ok = false;
    set_errno_error(&end.err, EAGAIN, "cannot start a subscription thread");
    p->finish(std::move(end));
  }
  return started;
}

}  // namespace nlw
