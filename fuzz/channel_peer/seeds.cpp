// Writes fuzz_channel_peer's seed corpus into the directory given: the
// frames tests/channel sends (forged handles, the malformed flood, fd
// references, callbacks, releases) as fake-peer scripts.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "captee/object.h"
#include "captee/wire.hpp"
#include "peer_script.hpp"

using namespace captee;
using namespace captee::fuzz;

namespace {

constexpr uint8_t kFix = kCtlFixSize | kCtlFixSeq;

std::vector<uint8_t> request(uint32_t id, uint32_t handle, uint32_t op, uint32_t counts,
                             const std::string &data, std::vector<uint32_t> caps,
                             std::vector<wire::ObjRef> oi, uint8_t nfds = 0) {
  std::vector<wire::BufIn> bi;
  for (size_t i = 0; i < ObjectCounts_numBI(counts); ++i) {
    bi.push_back({data.data(), data.size()});
  }
  wire::Encoded e;
  wire::encode_request(id, handle, op, counts, bi, caps, oi, nfds, e);
  wire::set_seq(e, 1);
  return e.flatten();
}

std::vector<uint8_t> echo(uint32_t id, uint32_t handle, const std::string &text) {
  return request(id, handle, kEcho, ObjectCounts_pack(1, 1, 0, 0), text, {16}, {});
}

std::vector<uint8_t> release(std::vector<wire::Message::Release> r) {
  wire::Encoded e;
  wire::encode_release(r, e);
  wire::set_seq(e, 1);
  return e.flatten();
}

std::vector<uint8_t> error_frame(uint32_t id) {
  wire::Encoded e;
  wire::encode_error(id, -1, e);
  wire::set_seq(e, 1);
  return e.flatten();
}

std::vector<uint8_t> success(uint32_t id, const std::string &text) {
  wire::BufIn bo[] = {{text.data(), text.size()}};
  wire::Encoded e;
  wire::encode_success(id, ObjectCounts_pack(0, 1, 0, 0), bo, {}, 0, e);
  wire::set_seq(e, 1);
  return e.flatten();
}

void write(const std::string &dir, const std::string &name, const ScriptWriter &w) {
  std::ofstream(dir + "/" + name, std::ios::binary)
      .write(reinterpret_cast<const char *>(w.bytes.data()), std::streamsize(w.bytes.size()));
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: channel_peer_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  const uint32_t root = wire::kPrimordialHandle;
  const wire::ObjRef mine{wire::RefType::kSenderHosted, 0, 0x10000};
  {
    ScriptWriter w;  // a well-behaved echo
    w.hello_valid();
    w.record(kFix, echo(1, root, "hello"));
    w.record(kFix | kCtlWait, echo(2, root, "again"));
    write(dir, "echo", w);
  }
  {
    ScriptWriter w;  // forged handles, refcount ops, then a good call
    w.hello_valid();
    for (uint32_t forged : {0x10005u, 0x20000u, 0xFFFF0000u, 0x10001u}) {
      w.record(kFix, echo(1, forged, "hi"));
    }
    w.record(kFix, request(2, root, 0, ObjectCounts_pack(0, 1, 1, 0), "", {4},
                           {{wire::RefType::kReceiverHosted, 0, 0x10007}}));
    w.record(kFix, request(3, root, Object_OP_release, ObjectCounts_pack(1, 1, 0, 0), "", {0}, {}));
    w.record(kFix, echo(4, root, "still here"));
    write(dir, "forged_handles", w);
  }
  {
    ScriptWriter w;  // the malformed flood's cases, one script each
    auto frame = error_frame(5);
    std::vector<std::vector<uint8_t>> bad;
    bad.push_back({0xA5, 0x5A, 0x00, 0xFF, 0x13});
    auto lie = frame;
    lie[0] = 200;
    bad.push_back(lie);
    auto kind = frame;
    kind[4] = 77;
    bad.push_back(kind);
    auto fdc = frame;
    fdc[6] = 1;
    bad.push_back(fdc);
    bad.push_back(error_frame(12345));
    bad.push_back(release({{root, 5}}));
    for (size_t i = 0; i < bad.size(); ++i) {
      ScriptWriter one;
      one.hello_valid();
      one.record(0, bad[i]);
      write(dir, "malformed_" + std::to_string(i), one);
    }
  }
  {
    ScriptWriter w;  // a memory object by descriptor, mapped by the callee
    w.hello_valid();
    w.record(uint8_t(kFix | (1 << 5)),
             request(1, root, kCallBack, ObjectCounts_pack(0, 0, 1, 0), "", {},
                     {{wire::RefType::kFd, wire::kRightRead, 0}}, 1),
             kMemfdSealed);
    w.record(uint8_t(kFix | (1 << 5)),
             request(2, root, kKeep, ObjectCounts_pack(0, 0, 1, 0), "", {},
                     {{wire::RefType::kFd, wire::kRightRead | wire::kRightWrite, 0}}, 1),
             kPipe);
    w.record(uint8_t(kFix | (2 << 5)), echo(3, root, "two fds nobody expects"),
             kDevNull | (kMemfdEmpty << 2));
    write(dir, "fds", w);
  }
  {
    ScriptWriter w;  // a callback into the fake peer, answered, then nested
    w.hello_valid();
    w.record(kFix, request(7, root, kCallBack, ObjectCounts_pack(0, 0, 1, 0), "", {}, {mine}));
    w.record(kFix | kCtlWait | kCtlReplyId, success(0, "pong"));
    w.record(kFix, request(8, root, kCallBack, ObjectCounts_pack(0, 0, 1, 0), "", {}, {mine}));
    w.record(kFix | kCtlWait | kCtlReplyId, echo(0, root, "nested"));
    w.record(kFix | kCtlWait | kCtlReplyId, error_frame(0));
    write(dir, "callback", w);
  }
  {
    ScriptWriter w;  // children, sent home, kept, released
    w.hello_valid();
    w.record(kFix, request(1, root, kMakeChildren, ObjectCounts_pack(0, 0, 0, 3), "", {}, {}));
    w.record(kFix | kCtlWait, request(2, root, kReturn, ObjectCounts_pack(0, 0, 2, 2), "", {},
                                      {{wire::RefType::kReceiverHosted, 0, 0x10001}, mine}));
    w.record(kFix, request(3, root, kKeep, ObjectCounts_pack(0, 0, 2, 0), "", {},
                           {mine, {wire::RefType::kReceiverHosted, 0, 0x10002}}));
    w.record(kFix, release({{0x10001, 1}, {0x10002, 1}, {0x10003, 2}}));
    w.record(kFix, request(4, root, kDropKept, 0, "", {}, {}));
    write(dir, "objects", w);
  }
  {
    ScriptWriter w;  // an out-of-band body
    w.hello_valid();
    w.record(kFix | kCtlOutOfBand, echo(1, root, std::string(3000, 'x')));
    write(dir, "out_of_band", w);
  }
  {
    ScriptWriter w;  // handshakes: raw, none, with a descriptor, tiny limits
    w.bytes = {kRaw, 5, 0, 1, 2, 3, 4, 5};
    write(dir, "hello_raw", w);
    w.bytes = {kNone};
    write(dir, "hello_none", w);
    w.bytes = {kWithFds, 15, 4, 16, 15};
    write(dir, "hello_fds", w);
    ScriptWriter small;
    small.hello_valid(1, 1, 1, 0);
    small.record(kFix, request(1, root, kMakeChildren, ObjectCounts_pack(0, 0, 0, 2), "", {}, {}));
    write(dir, "hello_small_limits", small);
  }
  return 0;
}
