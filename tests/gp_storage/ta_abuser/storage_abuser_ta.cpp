// A hostile TA: it skips the GP runtime and calls the ITrustedStorage
// capteed binds to it (idl/ITrustedStorage.idl) directly, with ids too
// long, namespaces and flags that do not exist, handles it was never given,
// sizes past every limit, and invocations the skeleton must refuse; and it
// hoards handles. gp_storage_test checks that every such call failed and
// that capteed kept serving.
#include <algorithm>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

#include "IOpener.hpp"
#include "IStorageAbuser.hpp"
#include "ITrustedStorage.hpp"
#include "captee/ta_sdk.h"

CAPTEE_TA_MANIFEST(CAPTEE_TA_UUID(0x7e57c0de, 0x0163, 0x4000, 0x80, 0, 0, 0, 0, 0, 0x01, 0x63),
                   "captee_storage_abuser_ta", CAPTEE_TA_FLAG_MULTI_SESSION, 64u << 20, 5000);

namespace {

using captee::iface::ITrustedStorage;

captee::Ref g_env;
// The hoarded handles' binding, kept so they stay open.
captee::Ref g_hoard;
// The bindings whose stages are left uncommitted, kept so they stay staged.
std::vector<captee::Ref> g_left;

std::span<const std::byte> bytes(const std::vector<std::byte> &v) {
  return {v.data(), v.size()};
}

class Abuser final : public captee::iface::IStorageAbuserSkeleton {
 public:
  int32_t abuse(uint32_t &refused, uint32_t &accepted) override {
    captee::Ref ref;
    if (g_env.is_null() ||
        captee::iface::IOpener(g_env).open(CAPTEE_TA_STORAGE, ref) != Object_OK) {
      return Object_ERROR_UNAVAIL;
    }
    const ITrustedStorage s(ref);
    refused = 0;
    accepted = 0;
    auto expect_refused = [&](int32_t r) { (r == Object_OK ? accepted : refused)++; };

    const std::vector<std::byte> long_id(ITrustedStorage_MAX_ID_LENGTH + 1, std::byte{'x'});
    const std::vector<std::byte> id(4, std::byte{'i'});
    const std::vector<std::byte> huge(ITrustedStorage_MAX_TRANSFER + 1);
    const std::vector<std::byte> big_attrs(ITrustedStorage_MAX_ATTRIBUTES + 1);
    std::vector<std::byte> out(ITrustedStorage_MAX_ATTRIBUTES);
    std::vector<std::byte> out_huge(ITrustedStorage_MAX_TRANSFER + 1);
    ITrustedStorage_Head head{};
    uint32_t h = 0, total = 0;
    size_t len = 0;

    // Ids, namespaces, flags.
    expect_refused(s.open(ITrustedStorage_NAMESPACE_PRIVATE, bytes(long_id), 1, h, head, out, len));
    expect_refused(s.create(ITrustedStorage_NAMESPACE_PRIVATE, bytes(long_id), 1, head, {}, {}, h));
    expect_refused(s.stat(ITrustedStorage_NAMESPACE_PRIVATE, bytes(long_id), head));
    for (uint32_t ns : {0u, 3u, 0x80000000u, 0xffffffffu}) {
      expect_refused(s.stat(ns, bytes(id), head));
      expect_refused(s.list(ns, 0, out, len, total));
      expect_refused(s.create(ns, bytes(id), 1, head, {}, {}, h));
    }
    expect_refused(
        s.open(ITrustedStorage_NAMESPACE_PRIVATE, bytes(id), 0xffffffffu, h, head, out, len));
    expect_refused(s.create(ITrustedStorage_NAMESPACE_PRIVATE, bytes(id), 0x800, head, {}, {}, h));
    // Sizes past the limits.
    expect_refused(
        s.create(ITrustedStorage_NAMESPACE_PRIVATE, bytes(id), 3, head, bytes(big_attrs), {}, h));
    expect_refused(
        s.create(ITrustedStorage_NAMESPACE_PRIVATE, bytes(id), 3, head, {}, bytes(huge), h));
    // Handles it was never given.
    for (uint32_t bogus : {0u, 1u, 2u, 0x7fffffffu, 0xdeadbeefu, 0xffffffffu}) {
      expect_refused(s.read(bogus, 0, out, len));
      expect_refused(s.write(bogus, 0, bytes(id)));
      expect_refused(s.truncate(bogus, 0));
      expect_refused(s.getHead(bogus, head));
      expect_refused(s.restrictUsage(bogus, 0));
      expect_refused(s.rename(bogus, bytes(id)));
      expect_refused(s.closeAndDelete(bogus));
      expect_refused(s.close(bogus));
    }
    // A real handle, then positions and lengths past GP's.
    if (s.create(ITrustedStorage_NAMESPACE_PRIVATE, bytes(id), 3 | 4, head, {}, {}, h) !=
        Object_OK) {
      return Object_ERROR;
    }
    expect_refused(s.read(h, 0, out_huge, len));
    expect_refused(s.read(h, ~0ull, out, len));
    expect_refused(s.write(h, ~0ull, bytes(id)));
    expect_refused(s.write(h, 0xfffffffdull, bytes(id)));
    expect_refused(s.write(h, 0, bytes(huge)));
    expect_refused(s.write(h, 0x80000000ull, bytes(id)));  // the quota
    expect_refused(s.truncate(h, 0x100000000ull));
    expect_refused(s.truncate(h, ~0ull));
    expect_refused(s.rename(h, bytes(long_id)));
    // Invocations no proxy would make: a head buffer too small, a bundle of
    // the wrong size, arguments missing, a method that does not exist.
    uint8_t small[4] = {};
    uint8_t bundle[64] = {};
    std::memcpy(bundle, &h, sizeof h);
    ObjectArg head_too_small[2] = {{.b = {bundle, 4}}, {.b = {small, sizeof small}}};
    expect_refused(Object_invoke(ref.get(), ITrustedStorage_OP_getHead, head_too_small,
                                 ObjectCounts_pack(1, 1, 0, 0)));
    ObjectArg wrong_bundle[1] = {{.b = {bundle, sizeof bundle}}};
    expect_refused(Object_invoke(ref.get(), ITrustedStorage_OP_truncate, wrong_bundle,
                                 ObjectCounts_pack(1, 0, 0, 0)));
    expect_refused(Object_invoke(ref.get(), ITrustedStorage_OP_create, nullptr, 0));
    expect_refused(Object_invoke(ref.get(), ITrustedStorage_OP_open, wrong_bundle,
                                 ObjectCounts_pack(1, 0, 0, 0)));
    expect_refused(Object_invoke(ref.get(), 0x3fff, nullptr, 0));
    // Still a working handle, then gone.
    if (s.write(h, 0, bytes(id)) != Object_OK || s.closeAndDelete(h) != Object_OK) {
      return Object_ERROR;
    }
    return Object_OK;
  }

  int32_t abuseStages(uint32_t &refused, uint32_t &accepted) override {
    captee::Ref ref;
    if (g_env.is_null() ||
        captee::iface::IOpener(g_env).open(CAPTEE_TA_STORAGE, ref) != Object_OK) {
      return Object_ERROR_UNAVAIL;
    }
    const ITrustedStorage s(ref);
    refused = 0;
    accepted = 0;
    auto expect_refused = [&](int32_t r) { (r == Object_OK ? accepted : refused)++; };
    auto must = [](int32_t r) { return r == Object_OK; };
    constexpr uint64_t kPiece = ITrustedStorage_MAX_TRANSFER;
    constexpr uint64_t kSize = 2 * kPiece + 3;
    constexpr uint32_t kCreate = ITrustedStorage_STAGE_CREATE;
    const std::vector<std::byte> piece(kPiece, std::byte{'p'});
    const std::vector<std::byte> id(6, std::byte{'s'}), other_id(7, std::byte{'o'});
    ITrustedStorage_Head head{};
    uint32_t h = 0, other = 0, made = 0;
    constexpr uint32_t kReadWriteShared = 0x1 | 0x2 | 0x10 | 0x20;
    if (!must(s.create(ITrustedStorage_NAMESPACE_PRIVATE, bytes(id), kReadWriteShared | 0x400, head,
                       {}, bytes(id), h)) ||
        !must(s.create(ITrustedStorage_NAMESPACE_PRIVATE, bytes(other_id), 0x1 | 0x2 | 0x400, head,
                       {}, {}, other))) {
      return Object_ERROR;
    }
    // Sizes and offsets: not larger than one transfer, past the cap, past
    // TEE_DATA_MAX_POSITION, sums that wrap; a create's stage not at 0.
    expect_refused(s.stageBegin(h, 0, kPiece));
    expect_refused(s.stageBegin(h, 0, uint64_t(ITrustedStorage_MAX_STAGED) + 1));
    expect_refused(s.stageBegin(h, 0, ~0ull));
    expect_refused(s.stageBegin(h, ~0ull - 1, kSize));
    expect_refused(s.stageBegin(h, 0xffffffffull - kPiece, kSize));
    expect_refused(s.stageBegin(kCreate, 5, kSize));
    expect_refused(s.stageBegin(0xdeadbeefu, 0, kSize));
    // Steps of a stage that does not exist.
    expect_refused(s.stagePiece(h, 0, bytes(piece)));
    expect_refused(s.stageCommit(h));
    expect_refused(s.stageCommit(kCreate));
    expect_refused(
        s.createStaged(ITrustedStorage_NAMESPACE_PRIVATE, bytes(other_id), 3, head, {}, made));
    // Pieces out of order, twice, skipping, wrapping, past the end, through
    // another handle; commits too early and through another handle; each
    // one ends its stage, which the commit after it shows.
    auto broken = [&](auto &&breaking) {
      if (!must(s.stageBegin(h, 100, kSize))) {
        accepted += 100;  // a well-formed stage must begin
        return;
      }
      breaking();
      expect_refused(s.stageCommit(h));
    };
    broken([&] { expect_refused(s.stagePiece(h, 101, bytes(piece))); });
    broken([&] { expect_refused(s.stagePiece(h, 99, bytes(piece))); });
    broken([&] {
      (void)s.stagePiece(h, 100, bytes(piece));
      expect_refused(s.stagePiece(h, 100, bytes(piece)));
    });
    broken([&] { expect_refused(s.stagePiece(h, 100 + kPiece, bytes(piece))); });
    broken([&] { expect_refused(s.stagePiece(h, 100 - (1ull << 40), bytes(piece))); });
    broken([&] {
      (void)s.stagePiece(h, 100, bytes(piece));
      (void)s.stagePiece(h, 100 + kPiece, bytes(piece));
      expect_refused(s.stagePiece(h, 100 + 2 * kPiece, bytes(piece)));
    });
    broken([&] { expect_refused(s.stagePiece(other, 100, bytes(piece))); });
    broken([&] {
      (void)s.stagePiece(h, 100, bytes(piece));
      expect_refused(s.stageCommit(h));  // not every byte arrived
    });
    broken([&] {
      (void)s.stagePiece(h, 100, bytes(piece));
      (void)s.stagePiece(h, 100 + kPiece, bytes(piece));
      (void)s.stagePiece(h, 100 + 2 * kPiece, {piece.data(), 3});
      expect_refused(s.stageCommit(other));  // complete, but through another handle
    });
    broken([&] {
      (void)s.stagePiece(h, 100, bytes(piece));
      (void)s.stagePiece(h, 100 + kPiece, bytes(piece));
      (void)s.stagePiece(h, 100 + 2 * kPiece, {piece.data(), 3});
      expect_refused(s.createStaged(ITrustedStorage_NAMESPACE_PRIVATE, bytes(other_id), 3, head, {},
                                    made));  // a write's stage given to a create
    });
    broken([&] {
      (void)s.stagePiece(h, 100, bytes(piece));
      (void)s.stagePiece(h, 100 + kPiece, bytes(piece));
      (void)s.stagePiece(h, 100 + 2 * kPiece, {piece.data(), 3});
      (void)s.getHead(h, head);  // an interleaved call
    });
    // Nothing of it reached the object.
    if (!must(s.getHead(h, head)) || head.dataSize != id.size()) {
      accepted += 1000;
    }
    // And a stage begun, half sent, and left.
    if (!must(s.stageBegin(h, 0, kSize)) || !must(s.stagePiece(h, 0, bytes(piece)))) {
      accepted += 100;
    }
    g_left.push_back(std::move(ref));
    return Object_OK;
  }

  int32_t stageAndLeave(uint64_t size) override {
    captee::Ref ref;
    if (g_env.is_null() ||
        captee::iface::IOpener(g_env).open(CAPTEE_TA_STORAGE, ref) != Object_OK) {
      return Object_ERROR_UNAVAIL;
    }
    const ITrustedStorage s(ref);
    // An id of this process's own: another process of the TA may hold its
    // own object open.
    const std::string name = "left-" + std::to_string(::getpid());
    const std::vector<std::byte> id(reinterpret_cast<const std::byte *>(name.data()),
                                    reinterpret_cast<const std::byte *>(name.data()) + name.size());
    const std::vector<std::byte> piece(ITrustedStorage_MAX_TRANSFER, std::byte{'L'});
    ITrustedStorage_Head head{};
    uint32_t h = 0;
    int32_t r =
        s.create(ITrustedStorage_NAMESPACE_PRIVATE, bytes(id), 0x2 | 0x20 | 0x400, head, {}, {}, h);
    if (r == Object_OK) {
      r = s.stageBegin(h, 0, size);
    }
    for (uint64_t done = 0; r == Object_OK && done < size; done += piece.size()) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(piece.size(), size - done));
      r = s.stagePiece(h, done, {piece.data(), n});
    }
    g_left.push_back(std::move(ref));
    return r;
  }

  int32_t hoard(uint32_t &opened) override {
    if (g_env.is_null() ||
        captee::iface::IOpener(g_env).open(CAPTEE_TA_STORAGE, g_hoard) != Object_OK) {
      return Object_ERROR_UNAVAIL;
    }
    const ITrustedStorage s(g_hoard);
    const std::vector<std::byte> id(5, std::byte{'h'});
    ITrustedStorage_Head head{};
    std::vector<std::byte> attrs(ITrustedStorage_MAX_ATTRIBUTES);
    uint32_t h = 0;
    size_t len = 0;
    constexpr uint32_t kReadShared = 0x1 | 0x10;  // ACCESS_READ | SHARE_READ
    // Made by the first hoard; a later one finds it.
    opened = s.create(ITrustedStorage_NAMESPACE_PRIVATE, bytes(id), kReadShared, head, {}, {}, h) ==
                     Object_OK
                 ? 1
                 : 0;
    for (; opened < 100000; ++opened) {
      if (s.open(ITrustedStorage_NAMESPACE_PRIVATE, bytes(id), kReadShared, h, head, attrs, len) !=
          Object_OK) {
        break;
      }
    }
    return Object_OK;
  }
};

}  // namespace

extern "C" int32_t captee_ta_init(Object env) {
  g_env = captee::Ref::share(env);
  return Object_OK;
}

extern "C" int32_t captee_ta_get_app_object(Object *out) {
  *out = captee::make_object<Abuser>().detach();
  return Object_OK;
}
