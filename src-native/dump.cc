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

bool parse_data(const Parser& parser, const uint8_t* data, size_t len, RecordSet* out, NlError* err,
                const MessageFilter* keep) {
  ParseError pe;
  bool ok = for_each_message(data, len, &pe, [&](const Message& m) {
    if (keep == nullptr || (*keep)(m)) parser.parse(m, *out);
    return !pe;
  });
  if (ok && !pe) return true;
  err->code = "EBADMSG";
  err->errnum = EBADMSG;
  err->message = std::string("malformed netlink message: ") + (pe.what ? pe.what : "unreadable");
  return false;
}

bool transact_and_parse(const Op& op, OpContext& ctx, std::vector<uint8_t>& request,
                        const MessageFilter* keep) {
  if (ctx.emit) {
    const Schema& root = ctx.out->root();
    ParsePipeline pipeline(ctx.threads, [&](const uint8_t* p, size_t n, NlError* err) {
      if (!parse_data(*op.parser, p, n, ctx.out, err, keep)) return false;
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
      return pipeline.push(p, n, err);
    };
    if (!ctx.sock->transact(request, ctx.timeout_ms, ctx.cancel, &ctx.reply, ctx.err, &sink))
      return false;  // the pipeline drops what it has not parsed
    return pipeline.finish(ctx.err);
  }
  if (!ctx.sock->transact(request, ctx.timeout_ms, ctx.cancel, &ctx.reply, ctx.err)) return false;
  ctx.out->reserve(ctx.out->root(), ctx.reply.messages);
  return parse_data(*op.parser, ctx.reply.data.data(), ctx.reply.data.size(), ctx.out, ctx.err,
                    keep);
}

bool run_request(const Op& op, OpContext& ctx) {
  std::vector<uint8_t> req;
  std::string why;
  if (!op.build(ctx.args, &req, &why)) {
    set_einval(ctx.err, why);
    return false;
  }
  return transact_and_parse(op, ctx, req);
}

}  // namespace nlw
