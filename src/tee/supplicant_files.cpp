// One storage supplicant registration's files (supplicant_files.hpp).
#include "supplicant_files.hpp"

#include <utility>

#include "IListenerCBO.hpp"
#include "IMemRegion.hpp"
#include "captee/channel.hpp"

namespace captee::tee {

SupplicantFiles::SupplicantFiles(apps::ListenerTable::Entry entry, std::chrono::milliseconds limit,
                                 std::function<void(const std::string &)> log)
    : entry_(std::move(entry)), limit_(limit), log_(std::move(log)), deadline_(limit) {}

bool SupplicantFiles::call(storage::ByteView request, std::span<uint8_t> reply) {
  std::lock_guard one_request(*entry_.calls);
  if (revoked()) {
    return false;
  }
  iface::IMemRegion region(entry_.region);
  if (region.setData(0, std::as_bytes(request)) != Object_OK) {
    return false;  // gone, or a region smaller than the protocol's
  }
  uint32_t offsets[4] = {};
  size_t offset_count = 0;
  uint32_t is64 = 0;
  Ref smo1, smo2, smo3, smo4;  // the answer is in place: any object is dropped
  int32_t rv = Object_ERROR;
  const bool late = deadline_.run(
      [&] {
        rv = iface::IListenerCBO(entry_.cbo)
                 .request(offsets, offset_count, is64, smo1, smo2, smo3, smo4);
      },
      // Revoked and logged first, so both are done when the close ends the
      // request.
      [revoked = revoked_, cbo = entry_.cbo, log = log_, limit = limit_] {
        revoked->store(true, std::memory_order_release);
        const bool remote = is_remote(cbo.get());
        if (log) {
          log("error: captee-supplicant did not answer a storage request within " +
              std::to_string(limit.count()) + " ms: its registration is revoked" +
              (remote ? " and its connection closed" : "") +
              "; storage calls fail until a supplicant registers again");
        }
        close_channel_of(cbo.get());
      });
  if (late || revoked() || rv != Object_OK) {
    return false;
  }
  // One copy of what the supplicant left: what is checked is what is used.
  size_t got = 0;
  return region.getData(0, std::as_writable_bytes(reply), got) == Object_OK && got == reply.size();
}

bool SupplicantFiles::is(const Ref &cbo) const {
  const Object a = entry_.cbo.get(), b = cbo.get();
  return a.invoke == b.invoke && a.context == b.context;
}

}  // namespace captee::tee
