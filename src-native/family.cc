// Registries, the generic reply parser and the request builder (family.h).
#include "family.h"

#include <errno.h>

#include <cstring>

#include "pipeline.h"

namespace nlw {

std::vector<const Parser*>& parser_registry() {
  static std::vector<const Parser*> all;
  return all;
}
std::vector<const Op*>& op_registry() {
  static std::vector<const Op*> all;
  return all;
}
std::vector<std::pair<const char*, double>>& constant_registry() {
  static std::vector<std::pair<const char*, double>> all;
  return all;
}

const Parser* find_parser(const std::string& name) {
  for (const Parser* p : parser_registry())
    if (name == p->name) return p;
  return nullptr;
}

const Op* find_op(const std::string& name) {
  for (const Op* o : op_registry())
    if (name == o->name) return o;
  return nullptr;
}

static void set_bad(NlError* err, const char* what) {
  err->code = "EBADMSG";
  err->errnum = EBADMSG;
  err->message = std::string("malformed netlink message: ") + what;
}

bool parse_messages(const Parser& parser, const uint8_t* data, size_t len, RecordSet* out,
                    bool* interrupted, NlError* err, const MessageFilter* keep) {
  ParseError pe;
  int kernel_error = 0;
  bool ok = for_each_message(data, len, &pe, [&](const Message& m) {
    if (m.hdr().nlmsg_flags & NLM_F_DUMP_INTR) *interrupted = true;
    switch (m.type()) {
      case NLMSG_NOOP:
      case NLMSG_OVERRUN: return true;
      case NLMSG_DONE: return false;
      case NLMSG_ERROR: {
        int32_t e = 0;
        if (m.payload_len() < sizeof e) {
          pe.fail("NLMSG_ERROR shorter than its errno");
          return false;
        }
        std::memcpy(&e, m.payload(), sizeof e);
        kernel_error = e;
        return e == 0;  // an ACK carries 0
      }
      default:
        if (keep == nullptr || (*keep)(m)) parser.parse(m, *out);
        return !pe;
    }
  });
  if (!ok || pe) {
    set_bad(err, pe.what ? pe.what : "unreadable");
    return false;
  }
  if (kernel_error != 0) {
    set_kernel_error(err, kernel_error);
    return false;
  }
  return true;
}

bool transact_and_parse(const Op& op, OpContext& ctx, std::vector<uint8_t>& request,
                        const MessageFilter* keep) {
  bool ignored = false;  // the socket core latches the flag itself
  if (ctx.emit) {
    const Schema& root = ctx.out->root();
    ParsePipeline pipeline(ctx.threads, [&](const uint8_t* p, size_t n, NlError* err) {
      if (!parse_messages(*op.parser, p, n, ctx.out, &ignored, err, keep)) return false;
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
  return parse_messages(*op.parser, ctx.reply.data.data(), ctx.reply.data.size(), ctx.out, &ignored,
                        ctx.err, keep);
}

bool run_request(const Op& op, OpContext& ctx) {
  std::vector<uint8_t> req;
  std::string why;
  if (!op.build(ctx.args, &req, &why)) {
    ctx.err->code = "EINVAL";
    ctx.err->errnum = EINVAL;
    ctx.err->message = why;
    return false;
  }
  return transact_and_parse(op, ctx, req);
}

RequestBuilder::RequestBuilder(uint16_t type, uint16_t flags) {
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  append(&h, sizeof h);
}

void RequestBuilder::append(const void* p, size_t n) {
  size_t at = buf_.size();
  buf_.resize(at + NLMSG_ALIGN(n), 0);
  std::memcpy(buf_.data() + at, p, n);
}

RequestBuilder& RequestBuilder::attr(uint16_t type, const void* p, size_t n) {
  nlattr a{};
  a.nla_len = static_cast<uint16_t>(NLA_HDRLEN + n);
  a.nla_type = type;
  size_t at = buf_.size();
  buf_.resize(at + NLA_HDRLEN + NLA_ALIGN(n), 0);
  std::memcpy(buf_.data() + at, &a, sizeof a);
  if (n) std::memcpy(buf_.data() + at + NLA_HDRLEN, p, n);
  return *this;
}

size_t RequestBuilder::begin_nest(uint16_t type) {
  size_t at = buf_.size();
  attr(type | NLA_F_NESTED, nullptr, 0);
  return at;
}

void RequestBuilder::end_nest(size_t token) {
  nlattr a;
  std::memcpy(&a, buf_.data() + token, sizeof a);
  a.nla_len = static_cast<uint16_t>(buf_.size() - token);
  std::memcpy(buf_.data() + token, &a, sizeof a);
}

std::vector<uint8_t> RequestBuilder::take() {
  nlmsghdr h;
  std::memcpy(&h, buf_.data(), sizeof h);
  h.nlmsg_len = static_cast<uint32_t>(buf_.size());
  std::memcpy(buf_.data(), &h, sizeof h);
  return std::move(buf_);
}

}  // namespace nlw
