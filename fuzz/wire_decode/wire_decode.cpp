// Feeds arbitrary bytes to the channel frame decoder. The first byte chooses
// how many descriptors "arrived" with the record; the rest is the frame.
// A decoded frame is re-encoded and decoded again as a consistency check.
#include <cstdint>
#include <cstdlib>

#include "captee/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) {
    return 0;
  }
  size_t fds = data[0] % 17;
  std::span<const uint8_t> frame(data + 1, size - 1);
  captee::wire::Limits limits;
  captee::wire::Message m;
  if (captee::wire::decode(frame, fds, limits, m)) {
    return 0;
  }
  // Every slice the decoder accepted must lie inside the frame.
  for (const auto &s : m.bi) {
    if (size_t(s.offset) + s.size > frame.size()) {
      std::abort();
    }
  }
  if (m.header.kind == captee::wire::Kind::kRequest && (m.header.flags & 1) == 0) {
    std::vector<captee::wire::BufIn> bi;
    for (const auto &s : m.bi) {
      bi.push_back({frame.data() + s.offset, s.size});
    }
    captee::wire::Encoded e;
    if (!captee::wire::encode_request(m.header.invoke_id, m.handle, m.op, m.counts, bi, m.bo_caps,
                                      m.objs, m.header.fd_count, e)) {
      std::abort();
    }
    auto flat = e.flatten();
    captee::wire::Message again;
    if (captee::wire::decode(flat, fds, limits, again) || again.op != m.op ||
        again.counts != m.counts || again.bi.size() != m.bi.size()) {
      std::abort();
    }
  }
  return 0;
}
