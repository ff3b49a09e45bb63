// One operation (a dump, a get, a conntrack delete) run on an addon thread,
// its records fed to a stream as the kernel sends them. A list call reads
// the stream to the end at once (its queue is unbounded); a stream call
// bounds it, so a consumer that stops taking batches stops the reader, and
// with it the kernel.
#pragma once

#include <memory>

#include "dump.h"
#include "handle.h"
#include "registry.h"
#include "stream.h"
#include "thread_pool.h"

namespace nlw {

struct RequestJob {
  std::shared_ptr<HandleCore> core;
  std::shared_ptr<AddonThreads> threads;  // it runs on one; its parse pipeline on another
  const Op* op;
  ArgsValue args;  // the op's own argument struct
  int timeout_ms;
};

// False when no thread could be started (the producer is finished with
// that error).
bool start_request(RequestJob job, std::unique_ptr<StreamProducer> producer);

}  // namespace nlw
