#include "plugin_listener.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "IListenerCBO.hpp"
#include "captee/detail/little_endian.hpp"
#include "captee/memory.hpp"
#include "captee/supp_plugin_protocol.h"

namespace captee::supplicant {

namespace {

using detail::load_le32;
using detail::store_le32;

// A plugin's data: exactly `len` bytes, ending where an inaccessible page
// begins. A plugin that writes past what it was given faults at once
// (the supplicant dies, and TAs get TEE_ERROR_COMMUNICATION) instead of
// quietly corrupting the supplicant's memory.
class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t len) : len_(len) {
    if (len == 0) {
      return;  // the plugin gets no buffer, as on OP-TEE
    }
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    const size_t data_pages = (len + page - 1) / page;
    map_len_ = (data_pages + 1) * page;
    void *m = ::mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      map_len_ = 0;
      return;
    }
    auto *guard = static_cast<std::byte *>(m) + data_pages * page;
    if (::mprotect(guard, page, PROT_NONE) != 0) {
      ::munmap(m, map_len_);
      map_len_ = 0;
      return;
    }
    map_ = m;
    data_ = guard - len;
  }
  ~GuardedBuffer() {
    if (map_ != nullptr) {
      ::munmap(map_, map_len_);
    }
  }
  GuardedBuffer(const GuardedBuffer &) = delete;
  GuardedBuffer &operator=(const GuardedBuffer &) = delete;

  bool ok() const { return len_ == 0 || data_ != nullptr; }
  std::byte *data() const { return data_; }

 private:
  size_t len_;
  void *map_ = nullptr;
  size_t map_len_ = 0;
  std::byte *data_ = nullptr;
};

TEEC_UUID uuid_from_octets(const uint8_t *o) {
  TEEC_UUID u{};
  u.timeLow = uint32_t{o[0]} << 24 | uint32_t{o[1]} << 16 | uint32_t{o[2]} << 8 | o[3];
  u.timeMid = static_cast<uint16_t>(o[4] << 8 | o[5]);
  u.timeHiAndVersion = static_cast<uint16_t>(o[6] << 8 | o[7]);
  std::memcpy(u.clockSeqAndNode, o + 8, sizeof u.clockSeqAndNode);
  return u;
}

class PluginListener final : public iface::IListenerCBOSkeleton {
 public:
  PluginListener(std::shared_ptr<const PluginSet> plugins, Ref region, Log log,
                 std::function<void()> released)
      : plugins_(std::move(plugins)),
        region_ref_(std::move(region)),
        region_(LocalObject::from_as<MemoryObject>(region_ref_.get())->bytes()),
        log_(std::move(log)),
        released_(std::move(released)) {}

  int32_t request(std::span<uint32_t>, size_t &offset_count, uint32_t &is64, Ref &, Ref &, Ref &,
                  Ref &) override {
    std::lock_guard one_call(mu_);
    offset_count = 0;
    is64 = 0;
    if (region_.size() < CAPTEE_SUPP_PLUGIN_HEADER_SIZE) {
      return Object_ERROR_INVALID;
    }
    // One copy of the header capteed wrote: what is checked is what is used.
    uint8_t header[CAPTEE_SUPP_PLUGIN_HEADER_SIZE];
    std::memcpy(header, region_.data(), sizeof header);
    const uint32_t len = load_le32(header + CAPTEE_SUPP_PLUGIN_OFF_DATA_LEN);
    if (len > region_.size() - CAPTEE_SUPP_PLUGIN_HEADER_SIZE) {
      say("refused a request of " + std::to_string(len) + " bytes: the region holds " +
          std::to_string(region_.size() - CAPTEE_SUPP_PLUGIN_HEADER_SIZE));
      return Object_ERROR_INVALID;
    }
    std::byte *shared = region_.data() + CAPTEE_SUPP_PLUGIN_HEADER_SIZE;
    const TEEC_UUID uuid = uuid_from_octets(header + CAPTEE_SUPP_PLUGIN_OFF_UUID);
    GuardedBuffer buf(len);
    size_t out_len = 0;
    TEEC_Result result = TEEC_ERROR_OUT_OF_MEMORY;
    if (buf.ok()) {
      if (len > 0) {
        std::memcpy(buf.data(), shared, len);
      }
      result = plugins_->invoke(uuid, load_le32(header + CAPTEE_SUPP_PLUGIN_OFF_CMD),
                                load_le32(header + CAPTEE_SUPP_PLUGIN_OFF_SUB_CMD), buf.data(), len,
                                &out_len);
      if (len > 0) {
        std::memcpy(shared, buf.data(), len);
      }
    }
    if (out_len > len) {
      // Passed on as it is (OP-TEE does): the TA's buffer still gets at most
      // its own bytes.
      say("plugin " + uuid_text(uuid) + " claims " + std::to_string(out_len) +
          " bytes of answer in a buffer of " + std::to_string(len));
    }
    store_le32(reinterpret_cast<uint8_t *>(region_.data()) + CAPTEE_SUPP_PLUGIN_OFF_OUT_LEN,
               static_cast<uint32_t>(std::min<size_t>(out_len, UINT32_MAX)));
    store_le32(reinterpret_cast<uint8_t *>(region_.data()) + CAPTEE_SUPP_PLUGIN_OFF_RESULT, result);
    return Object_OK;
  }

  int32_t wait() override { return Object_OK; }

  void on_last_release() noexcept override {
    if (released_) {
      released_();
    }
  }

 private:
  void say(const std::string &line) const {
    if (log_) {
      log_(line);
    }
  }

  std::shared_ptr<const PluginSet> plugins_;
  Ref region_ref_;
  std::span<std::byte> region_;  // the creator's mapping of region_ref_
  Log log_;
  std::function<void()> released_;
  std::mutex mu_;
};

}  // namespace

Ref make_plugin_listener(std::shared_ptr<const PluginSet> plugins, Ref region, Log log,
                         std::function<void()> released) {
  if (LocalObject::from_as<MemoryObject>(region.get()) == nullptr) {
    return Ref();
  }
  return make_object<PluginListener>(std::move(plugins), std::move(region), std::move(log),
                                     std::move(released));
}

}  // namespace captee::supplicant
