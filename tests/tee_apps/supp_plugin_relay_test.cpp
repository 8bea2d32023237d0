// capteed's supplicant plugin relay and the listener table, in-process, from
// both hostile sides: a supplicant that lies in its answer (or registered a
// region too small, or none), and a TA asking for too much. The real
// processes are tests/supplicant's.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "IListenerCBO.hpp"
#include "IRegisterListenerCBO.h"
#include "IOpener.hpp"
#include "ISuppPluginRelay.hpp"
#include "captee/detail/little_endian.hpp"
#include "captee/memory.hpp"
#include "captee/storage_listener_protocol.h"
#include "captee/supp_plugin_protocol.h"
#include "captee/ta_sdk.h"
#include "captee/tee/apps/listeners.hpp"
#include "captee/tee/apps/supp_plugin_relay.hpp"
#include "tee_api_defines.h"

namespace captee::tee::apps {
namespace {

using detail::load_le32;
using detail::store_le32;

// A supplicant in this process: runs `answer` on the region for each
// request, and counts the requests and how many ran at once.
class FakeSupplicant final : public iface::IListenerCBOSkeleton {
 public:
  using Answer = std::function<int32_t(std::span<std::byte> region)>;
  FakeSupplicant(Ref region, Answer answer)
      : region_(std::move(region)), answer_(std::move(answer)) {}
  int32_t request(std::span<uint32_t>, size_t &n, uint32_t &, Ref &, Ref &, Ref &, Ref &) override {
    n = 0;
    const int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    ++calls;
    std::this_thread::yield();
    int32_t rv = answer_(LocalObject::from_as<MemoryObject>(region_.get())->bytes());
    --in_flight;
    return rv;
  }
  int32_t wait() override { return Object_OK; }

  std::atomic<int> calls{0};
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};

 private:
  Ref region_;
  Answer answer_;
};

uint8_t *at(std::span<std::byte> region, uint32_t offset) {
  return reinterpret_cast<uint8_t *>(region.data()) + offset;
}

// Upper-cases the request's data in place, as a plugin would.
int32_t upper_case(std::span<std::byte> region) {
  const uint32_t len = load_le32(at(region, CAPTEE_SUPP_PLUGIN_OFF_DATA_LEN));
  for (uint32_t i = 0; i < len; ++i) {
    uint8_t *c = at(region, CAPTEE_SUPP_PLUGIN_HEADER_SIZE + i);
    *c = static_cast<uint8_t>(std::toupper(*c));
  }
  store_le32(at(region, CAPTEE_SUPP_PLUGIN_OFF_OUT_LEN), len);
  store_le32(at(region, CAPTEE_SUPP_PLUGIN_OFF_RESULT), TEE_SUCCESS);
  return Object_OK;
}

struct Relay {
  std::shared_ptr<ListenerTable> table = std::make_shared<ListenerTable>();
  Ref relay = make_supp_plugin_relay(table);
  Ref supplicant;  // the FakeSupplicant registered, if any

  FakeSupplicant *fake() const { return LocalObject::from_as<FakeSupplicant>(supplicant.get()); }
  int32_t add(size_t region_size, FakeSupplicant::Answer answer) {
    Ref region = region_size > 0 ? MemoryObject::create(region_size) : Ref();
    supplicant = make_object<FakeSupplicant>(region, std::move(answer));
    return table->add(CAPTEE_SUPP_PLUGIN_LISTENER_ID, supplicant.get(), region.get());
  }

  struct Result {
    int32_t rv = 0;
    uint32_t result = 0;
    uint32_t out_len = 0;
    std::string answer;
  };
  Result call(const std::string &data, size_t answer_capacity) const {
    Result r;
    std::vector<std::byte> answer(answer_capacity);
    size_t answer_len = 12345;
    const ISuppPluginRelay_Uuid uuid = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};
    r.rv = iface::ISuppPluginRelay(relay).invokePlugin(uuid, 7, 9, std::as_bytes(std::span(data)),
                                                       answer, answer_len, r.out_len, r.result);
    if (r.rv == Object_OK) {
      r.answer.assign(reinterpret_cast<const char *>(answer.data()), answer_len);
    }
    return r;
  }
};

TEST(SuppPluginRelay, CarriesTheRequestAndTheAnswerThroughTheRegion) {
  Relay r;
  std::vector<uint8_t> seen;
  ASSERT_EQ(r.add(CAPTEE_SUPP_PLUGIN_REGION_SIZE,
                  [&seen](std::span<std::byte> region) {
                    seen.assign(at(region, 0), at(region, CAPTEE_SUPP_PLUGIN_HEADER_SIZE + 3));
                    return upper_case(region);
                  }),
            Object_OK);
  auto res = r.call("abc", 3);
  EXPECT_EQ(res.rv, Object_OK);
  EXPECT_EQ(res.result, TEE_SUCCESS);
  EXPECT_EQ(res.out_len, 3u);
  EXPECT_EQ(res.answer, "ABC");
  ASSERT_EQ(seen.size(), CAPTEE_SUPP_PLUGIN_HEADER_SIZE + 3);
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(seen[CAPTEE_SUPP_PLUGIN_OFF_UUID + i], i + 1);
  }
  EXPECT_EQ(load_le32(&seen[CAPTEE_SUPP_PLUGIN_OFF_CMD]), 7u);
  EXPECT_EQ(load_le32(&seen[CAPTEE_SUPP_PLUGIN_OFF_SUB_CMD]), 9u);
  EXPECT_EQ(load_le32(&seen[CAPTEE_SUPP_PLUGIN_OFF_DATA_LEN]), 3u);
  EXPECT_EQ(std::memcmp(&seen[CAPTEE_SUPP_PLUGIN_HEADER_SIZE], "abc", 3), 0);
}

TEST(SuppPluginRelay, NoSupplicantOrNoRegionIsCommunication) {
  Relay none;
  auto res = none.call("abc", 3);
  EXPECT_EQ(res.rv, Object_OK);
  EXPECT_EQ(res.result, TEE_ERROR_COMMUNICATION);
  EXPECT_EQ(res.answer, "");
  Relay no_region;
  ASSERT_EQ(no_region.add(0, upper_case), Object_OK);
  EXPECT_EQ(no_region.call("abc", 3).result, TEE_ERROR_COMMUNICATION);
  EXPECT_EQ(no_region.fake()->calls.load(), 0);
}

TEST(SuppPluginRelay, ASupplicantThatFailsTheCallIsCommunication) {
  Relay r;
  ASSERT_EQ(r.add(4096, [](std::span<std::byte>) { return Object_ERROR_UNAVAIL; }), Object_OK);
  auto res = r.call("abc", 3);
  EXPECT_EQ(res.result, TEE_ERROR_COMMUNICATION);
  EXPECT_EQ(res.out_len, 0u);
  EXPECT_EQ(res.answer, "");
}

// A supplicant that claims a huge answer and fills its whole region: the TA
// gets the claim and only as many bytes as it sent.
TEST(SuppPluginRelay, AnAnswerNeverHoldsMoreThanTheRequest) {
  Relay r;
  ASSERT_EQ(r.add(64 * 1024,
                  [](std::span<std::byte> region) {
                    std::memset(region.data() + CAPTEE_SUPP_PLUGIN_HEADER_SIZE, 'X',
                                region.size() - CAPTEE_SUPP_PLUGIN_HEADER_SIZE);
                    store_le32(at(region, CAPTEE_SUPP_PLUGIN_OFF_DATA_LEN), 0xFFFFFFFFu);
                    store_le32(at(region, CAPTEE_SUPP_PLUGIN_OFF_OUT_LEN), 0xFFFFFFFFu);
                    store_le32(at(region, CAPTEE_SUPP_PLUGIN_OFF_RESULT), 0x12345678u);
                    return Object_OK;
                  }),
            Object_OK);
  auto res = r.call("abcd", 4096);
  EXPECT_EQ(res.rv, Object_OK);
  EXPECT_EQ(res.result, 0x12345678u);
  EXPECT_EQ(res.out_len, 0xFFFFFFFFu);
  EXPECT_EQ(res.answer, "XXXX");
  // An answer buffer smaller than the request: cut to it.
  res = r.call("abcdefgh", 2);
  EXPECT_EQ(res.answer, "XX");
}

TEST(SuppPluginRelay, AnAnswerOfNoBytesLeavesTheBufferAlone) {
  Relay r;
  ASSERT_EQ(r.add(4096,
                  [](std::span<std::byte> region) {
                    std::memset(region.data() + CAPTEE_SUPP_PLUGIN_HEADER_SIZE, 'X', 16);
                    store_le32(at(region, CAPTEE_SUPP_PLUGIN_OFF_OUT_LEN), 0);
                    store_le32(at(region, CAPTEE_SUPP_PLUGIN_OFF_RESULT), TEE_SUCCESS);
                    return Object_OK;
                  }),
            Object_OK);
  auto res = r.call("abcd", 4);
  EXPECT_EQ(res.result, TEE_SUCCESS);
  EXPECT_EQ(res.answer, "");
}

TEST(SuppPluginRelay, RequestsLargerThanTheLimitOrTheRegionAreOutOfMemory) {
  Relay r;
  ASSERT_EQ(r.add(4096, upper_case), Object_OK);
  EXPECT_EQ(r.call(std::string(4096, 'a'), 4096).result, TEE_ERROR_OUT_OF_MEMORY)
      << "the supplicant's region holds a header and 4056 bytes";
  EXPECT_EQ(r.call(std::string(4096 - CAPTEE_SUPP_PLUGIN_HEADER_SIZE, 'a'), 8).result, TEE_SUCCESS);
  Relay big;
  ASSERT_EQ(big.add(CAPTEE_SUPP_PLUGIN_REGION_SIZE + 4096, upper_case), Object_OK);
  EXPECT_EQ(big.call(std::string(CAPTEE_SUPP_PLUGIN_MAX_DATA + 1, 'a'), 8).result,
            TEE_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(big.fake()->calls.load(), 0) << "refused before the supplicant";
  EXPECT_EQ(big.call(std::string(CAPTEE_SUPP_PLUGIN_MAX_DATA, 'a'), 8).result, TEE_SUCCESS);
}

// Many TAs at once: one request at a time goes through the region, and each
// gets its own answer.
TEST(SuppPluginRelay, OneRequestAtATimeEachWithItsOwnAnswer) {
  Relay r;
  ASSERT_EQ(r.add(CAPTEE_SUPP_PLUGIN_REGION_SIZE, upper_case), Object_OK);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string mine = "t" + std::to_string(t) + "-" + std::to_string(i) +
                                 std::string(static_cast<size_t>(t + i), 'q');
        std::string want = mine;
        for (char &c : want) {
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        auto res = r.call(mine, mine.size());
        if (res.result != TEE_SUCCESS || res.answer != want) {
          ++wrong;
        }
      }
    });
  }
  for (auto &t : threads) {
    t.join();
  }
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(r.fake()->max_in_flight.load(), 1);
}

// The host environment a TA gets: the relay, and every listener but the
// supplicant's.
TEST(SuppPluginRelay, TheHostEnvironmentHidesTheSupplicantsListener) {
  Relay r;
  ASSERT_EQ(r.add(4096, upper_case), Object_OK);
  Ref other_region = MemoryObject::create(4096);
  Ref other = make_object<FakeSupplicant>(other_region, upper_case);
  ASSERT_EQ(r.table->add(0x10, other.get(), other_region.get()), Object_OK);
  Ref env = make_host_env(r.table);
  Ref got;
  EXPECT_EQ(iface::IOpener(env).open(CAPTEE_TA_LISTENER_CBO(CAPTEE_SUPP_PLUGIN_LISTENER_ID), got),
            IOpener_ERROR_NOT_FOUND);
  EXPECT_EQ(
      iface::IOpener(env).open(CAPTEE_TA_LISTENER_REGION(CAPTEE_SUPP_PLUGIN_LISTENER_ID), got),
      IOpener_ERROR_NOT_FOUND);
  EXPECT_EQ(iface::IOpener(env).open(CAPTEE_TA_LISTENER_CBO(0x10), got), Object_OK);
  EXPECT_EQ(iface::IOpener(env).open(CAPTEE_TA_LISTENER_REGION(0x10), got), Object_OK);
  Ref relay;
  ASSERT_EQ(iface::IOpener(env).open(CAPTEE_TA_SUPP_PLUGINS, relay), Object_OK);
  EXPECT_NE(LocalObject::from_as<iface::ISuppPluginRelaySkeleton>(relay.get()), nullptr);
  EXPECT_EQ(make_host_env(nullptr).is_null(), false);
  EXPECT_EQ(iface::IOpener(make_host_env(nullptr)).open(CAPTEE_TA_SUPP_PLUGINS, got),
            IOpener_ERROR_NOT_FOUND);
}

// The storage listener keeps capteed's store: a TA going around its runtime
// finds neither its callback object nor its region (only capteed's
// supplicant storage backend calls it).
TEST(SuppPluginRelay, TheHostEnvironmentHidesTheStorageListener) {
  auto table = std::make_shared<ListenerTable>();
  Ref region = MemoryObject::create(CAPTEE_STORAGE_REGION_SIZE);
  Ref storage = make_object<FakeSupplicant>(region, upper_case);
  ASSERT_EQ(table->add(CAPTEE_STORAGE_LISTENER_ID, storage.get(), region.get()), Object_OK);
  Ref env = make_host_env(table);
  Ref got;
  EXPECT_EQ(iface::IOpener(env).open(CAPTEE_TA_LISTENER_CBO(CAPTEE_STORAGE_LISTENER_ID), got),
            IOpener_ERROR_NOT_FOUND);
  EXPECT_EQ(iface::IOpener(env).open(CAPTEE_TA_LISTENER_REGION(CAPTEE_STORAGE_LISTENER_ID), got),
            IOpener_ERROR_NOT_FOUND);
  EXPECT_TRUE(got.is_null());
}

// A listener whose process never answers the liveness probe: a second
// registration of its id waits on it, but every other lookup goes on.
TEST(ListenerTable, AHolderThatNeverAnswersStallsOnlyTheRegistrationAfterItsId) {
  class Stuck final : public LocalObject {
   public:
    int32_t on_invoke(uint32_t, ObjectOp, ObjectArg *, ObjectCounts) override {
      std::unique_lock lock(mu);
      entered = true;
      cv.notify_all();
      cv.wait(lock, [this] { return released; });
      return Object_ERROR_INVALID;  // alive after all
    }
    std::mutex mu;
    std::condition_variable cv;
    bool entered = false;
    bool released = false;
  };
  auto table = std::make_shared<ListenerTable>();
  Ref stuck = make_object<Stuck>();
  auto *s = LocalObject::from_as<Stuck>(stuck.get());
  ASSERT_EQ(table->add(5, stuck.get(), Object_NULL), Object_OK);
  Ref region = MemoryObject::create(4096);
  Ref other = make_object<FakeSupplicant>(region, upper_case);
  ASSERT_EQ(table->add(6, other.get(), region.get()), Object_OK);

  auto second =
      std::async(std::launch::async, [&] { return table->add(5, other.get(), Object_NULL); });
  {
    std::unique_lock lock(s->mu);
    ASSERT_TRUE(s->cv.wait_for(lock, std::chrono::seconds(5), [s] { return s->entered; }));
  }
  auto lookup = std::async(std::launch::async, [&] { return !table->find(6).cbo.is_null(); });
  const bool looked_up = lookup.wait_for(std::chrono::seconds(2)) == std::future_status::ready;
  {
    std::lock_guard lock(s->mu);
    s->released = true;
    s->cv.notify_all();
  }
  EXPECT_TRUE(looked_up) << "a lookup waited for another listener's probe";
  EXPECT_TRUE(lookup.get());
  EXPECT_EQ(second.get(), IRegisterListenerCBO_ERROR_ID_IN_USE);
}

}  // namespace
}  // namespace captee::tee::apps
