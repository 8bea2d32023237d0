#include "captee/tee/apps/supp_plugin_relay.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "IListenerCBO.hpp"
#include "IMemRegion.hpp"
#include "ISuppPluginRelay.hpp"
#include "captee/detail/little_endian.hpp"
#include "captee/supp_plugin_protocol.h"
#include "tee_api_defines.h"

namespace captee::tee::apps {

namespace {

using detail::load_le32;
using detail::store_le32;

class SuppPluginRelay final : public iface::ISuppPluginRelaySkeleton {
 public:
  explicit SuppPluginRelay(std::shared_ptr<ListenerTable> t) : table_(std::move(t)) {}

  int32_t invokePlugin(const ISuppPluginRelay_Uuid &plugin, uint32_t cmd, uint32_t sub_cmd,
                       std::span<const std::byte> data, std::span<std::byte> answer,
                       size_t &answer_len, uint32_t &out_len, uint32_t &result) override {
    answer_len = 0;
    out_len = 0;
    if (data.size() > CAPTEE_SUPP_PLUGIN_MAX_DATA) {
      result = TEE_ERROR_OUT_OF_MEMORY;
      return Object_OK;
    }
    ListenerTable::Entry supplicant = table_->find(CAPTEE_SUPP_PLUGIN_LISTENER_ID);
    if (supplicant.cbo.is_null() || supplicant.region.is_null()) {
      // OP-TEE's driver answers an RPC no supplicant can take the same way.
      result = TEE_ERROR_COMMUNICATION;
      return Object_OK;
    }
    std::lock_guard one_request(*supplicant.calls);
    result = exchange(supplicant, plugin, cmd, sub_cmd, data, answer, answer_len, out_len);
    return Object_OK;
  }

 private:
  // One request and its answer through the supplicant's region. Returns the
  // TA's result; writes the answer only once the supplicant's header passed
  // its checks.
  static uint32_t exchange(const ListenerTable::Entry &supplicant,
                           const ISuppPluginRelay_Uuid &plugin, uint32_t cmd, uint32_t sub_cmd,
                           std::span<const std::byte> data, std::span<std::byte> answer,
                           size_t &answer_len, uint32_t &out_len) {
    // data.size() <= CAPTEE_SUPP_PLUGIN_MAX_DATA: the sum cannot overflow.
    std::vector<uint8_t> message(CAPTEE_SUPP_PLUGIN_HEADER_SIZE + data.size());
    std::memcpy(message.data() + CAPTEE_SUPP_PLUGIN_OFF_UUID, plugin.bytes, sizeof plugin.bytes);
    store_le32(message.data() + CAPTEE_SUPP_PLUGIN_OFF_CMD, cmd);
    store_le32(message.data() + CAPTEE_SUPP_PLUGIN_OFF_SUB_CMD, sub_cmd);
    store_le32(message.data() + CAPTEE_SUPP_PLUGIN_OFF_DATA_LEN,
               static_cast<uint32_t>(data.size()));
    if (!data.empty()) {
      std::memcpy(message.data() + CAPTEE_SUPP_PLUGIN_HEADER_SIZE, data.data(), data.size());
    }
    iface::IMemRegion region(supplicant.region);
    int32_t rv = region.setData(0, std::as_bytes(std::span(message)));
    if (rv == Object_ERROR_INVALID) {
      return TEE_ERROR_OUT_OF_MEMORY;  // the supplicant's region is smaller
    }
    if (rv != Object_OK) {
      return TEE_ERROR_COMMUNICATION;
    }
    uint32_t offsets[4] = {};
    size_t offset_count = 0;
    uint32_t is64 = 0;
    Ref smo1, smo2, smo3, smo4;  // a plugin answers in place: any object is dropped
    rv = iface::IListenerCBO(supplicant.cbo)
             .request(offsets, offset_count, is64, smo1, smo2, smo3, smo4);
    if (rv != Object_OK) {
      return TEE_ERROR_COMMUNICATION;  // the supplicant went away or refused
    }
    // One copy of what the supplicant left: it cannot change the header
    // between the checks and the use.
    size_t got = 0;
    rv = region.getData(0, std::as_writable_bytes(std::span(message)), got);
    if (rv != Object_OK || got != message.size()) {
      return TEE_ERROR_COMMUNICATION;
    }
    out_len = load_le32(message.data() + CAPTEE_SUPP_PLUGIN_OFF_OUT_LEN);
    // As OP-TEE: the buffer comes back whole when the plugin says it wrote
    // something, and never more than the request's bytes, whatever out_len
    // claims (the TA sees that claim and checks it against its length).
    const size_t back = out_len != 0 ? std::min(answer.size(), data.size()) : 0;
    if (back > 0) {
      std::memcpy(answer.data(), message.data() + CAPTEE_SUPP_PLUGIN_HEADER_SIZE, back);
    }
    answer_len = back;
    return load_le32(message.data() + CAPTEE_SUPP_PLUGIN_OFF_RESULT);
  }

  std::shared_ptr<ListenerTable> table_;
};

}  // namespace

Ref make_supp_plugin_relay(std::shared_ptr<ListenerTable> table) {
  return make_object<SuppPluginRelay>(std::move(table));
}

}  // namespace captee::tee::apps
