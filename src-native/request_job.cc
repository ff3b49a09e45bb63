// See request_job.h.
#include "request_job.h"

#include <errno.h>

#include "thread_pool.h"

namespace nlw {

namespace {

void run(RequestJob& job, StreamProducer& p) {
  ChannelEnd end;
  NlError err;
  auto sock = job.core->acquire(job.op->protocol, &err);
  if (!sock) {
    end.ok = false;
    end.err = err;
    p.finish(std::move(end));
    return;
  }
  const Schema& root = job.op->parser->root();
  auto out = std::make_unique<RecordSet>(root);
  OpContext ctx{
      job.op,    sock.get(), job.args, job.timeout_ms, {job.core->cancel_fd(), p.stop_fd()},
      out.get(), Reply{},    &err};
  ctx.threads = job.threads.get();
  ctx.on_datagram = [&p](const Reply& r) { p.progress(r.bytes, r.datagrams); };
  ctx.emit = [&p, &root](RecordSet&& chunk) {
    int64_t n = static_cast<int64_t>(chunk.count(root));
    return p.channel().push(std::make_unique<RecordSet>(std::move(chunk)), 1, n);
  };
  bool ok = job.op->run(ctx);
  job.core->release(std::move(sock));
  end.ok = ok;
  end.cancelled = !ok && err.code == "ERR_CANCELLED";
  if (!ok && !end.cancelled) end.err = err;
  if (end.cancelled) end.ok = true;
  end.interrupted = ctx.reply.interrupted;
  end.bytes = ctx.reply.bytes;
  end.datagrams = ctx.reply.datagrams;
  end.messages = ctx.reply.messages;
  end.result = ctx.result;
  // What the op holds when it ends (the last chunk, or everything when it
  // does not stream) goes with the end, in one hand-off to JS.
  if (ok && out->cell_count() > 0) {
    int64_t n = static_cast<int64_t>(out->count(root));
    p.finish(std::move(end), std::move(out), n);
  } else {
    p.finish(std::move(end));
  }
}

}  // namespace

bool start_request(RequestJob job, std::unique_ptr<StreamProducer> producer) {
  auto shared_job = std::make_shared<RequestJob>(std::move(job));
  std::shared_ptr<StreamProducer> p(std::move(producer));
  AddonThreads* threads = shared_job->threads.get();
  if (threads->submit([shared_job, p] { run(*shared_job, *p); })) return true;
  ChannelEnd end;
  end.ok = false;
  set_errno_error(&end.err, EAGAIN, "cannot start a request thread");
  p->finish(std::move(end));
  return false;
}

}  // namespace nlw
