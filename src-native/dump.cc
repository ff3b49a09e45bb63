// The dump loop (dump.h).
#include "dump.h"

#include <errno.h>

#include "pipeline.h"

namespace nlw {

void set_einval(NlError* err, const std::string& why) {
  err->code = "EINVAL";
  err->errnum = EINVAL;
  err->message = why;
}

namespace {

// Walks the data messages of `data`, handing each to `fn`.
template <class Fn>
bool parse_each(const uint8_t* data, size_t len, NlError* err, Fn&& fn) {
  ParseError pe;
  bool ok = for_each_message(data, len, &pe, [&](const Message& m) {
    fn(m);
    return !pe;
  });
  if (ok && !pe) return true;
  err->code = "EBADMSG";
  err->errnum = EBADMSG;
  err->message = std::string("malformed netlink message: ") + (pe.what ? pe.what : "unreadable");
  return false;
}

}  // namespace

bool parse_data(const Parser& parser, const uint8_t* data, size_t len, RecordSet* out, NlError* err,
                const MessageFilter* keep) {
  return parse_each(data, len, err, [&](const Message& m) {
    if (keep == nullptr || (*keep)(m)) parser.parse(m, *out);
  });
}

bool transact_and_parse(const MessageParser& parse, OpContext& ctx, std::vector<uint8_t>& request) {
  auto parse_all = [&](const uint8_t* p, size_t n, NlError* err) {
    return parse_each(p, n, err, [&](const Message& m) { parse(m, *ctx.out); });
  };
  if (ctx.emit) {
    const Schema& root = ctx.out->root();
    ParsePipeline pipeline(ctx.threads, [&](const uint8_t* p, size_t n, NlError* err) {
      if (!parse_all(p, n, err)) return false;
      if (ctx.out->count(root) >= ctx.chunk_records || ctx.out->cell_count() >= ctx.chunk_cells) {
        RecordSet next = ctx.out->empty_like();
        bool taken = ctx.emit(std::move(*ctx.out));
        *ctx.out = std::move(next);
        if (!taken) {
          err->code = "ERR_CANCELLED";
          err->message = "the reader stopped the request";
          return false;
        }
      }
      return true;
    });
    DatagramSink sink = [&](const uint8_t* p, size_t n, NlError* err) {
      if (ctx.on_datagram) ctx.on_datagram(ctx.reply);
      return pipeline.push(p, n, err);
    };
    if (!ctx.sock->transact(request, ctx.timeout_ms, ctx.cancel, &ctx.reply, ctx.err, &sink))
      return false;  // the pipeline drops what it has not parsed
    return pipeline.finish(ctx.err);
  }
  if (!ctx.sock->transact(request, ctx.timeout_ms, ctx.cancel, &ctx.reply, ctx.err)) return false;
  ctx.out->reserve(ctx.out->root(), ctx.reply.messages);
  return parse_all(ctx.reply.data.data(), ctx.reply.data.size(), ctx.err);
}

bool transact_and_parse(const Parser& parser, OpContext& ctx, std::vector<uint8_t>& request,
                        const MessageFilter* keep) {
  if (keep == nullptr)
    return transact_and_parse([&](const Message& m, RecordSet& out) { parser.parse(m, out); }, ctx,
                              request);
  return transact_and_parse(
      [&](const Message& m, RecordSet& out) {
        if ((*keep)(m)) parser.parse(m, out);
      },
      ctx, request);
}

}  // namespace nlw
