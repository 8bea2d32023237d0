// A client process for capteed's integration tests (run by fork + exec so the
// test process never forks while its own channel threads run).
//   open SOCK SERVICE_UID [UID GID [G1,G2,...]]   exit code: 0, 10, 11 or 99
//   claim SOCK SERVICE_UID CLAIMED_UID            registers claiming a uid
//   churn SOCK SEED                               calls forever (kill -9 test)
//   sink FD                                       serves a Sink on a socketpair
#include <grp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CDiagnostics.h"
#include "CMemoryService.h"
#include "IClientEnv.hpp"
#include "IDiagnosticsCaptee.hpp"
#include "IIO.hpp"
#include "IMemoryService.hpp"
#include "MinkCom.h"
#include "captee/channel.hpp"
#include "captee/memory.hpp"
#include "sink.hpp"

using namespace captee;

namespace {

int open_service(uint32_t uid) {
  Object root = Object_NULL, env = Object_NULL, svc = Object_NULL;
  if (MinkCom_getRootEnvObject(&root) != Object_OK) {
    return 98;
  }
  int rv = MinkCom_getClientEnvObject(root, &env);
  if (rv == Object_OK) {
    rv = IClientEnv_open(env, uid, &svc);
  }
  Object_ASSIGN_NULL(svc);
  Object_ASSIGN_NULL(env);
  Object_ASSIGN_NULL(root);
  return rv == 0 || rv == 10 || rv == 11 ? rv : 99;
}

// An IIO serving fixed bytes; optionally slow, to be killed mid-callback.
class FixedIO final : public iface::IIOSkeleton {
 public:
  FixedIO(std::vector<std::byte> b, int delay_ms) : b_(std::move(b)), delay_ms_(delay_ms) {}
  int32_t getLength(uint64_t &len) override {
    if (delay_ms_ > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
    }
    len = b_.size();
    return Object_OK;
  }
  int32_t readAtOffset(uint64_t off, std::span<std::byte> d, size_t &len) override {
    if (off >= b_.size()) {
      return IIO_ERROR_OFFSET_OUT_OF_BOUNDS;
    }
    len = std::min(d.size(), b_.size() - size_t(off));
    std::memcpy(d.data(), b_.data() + off, len);
    return Object_OK;
  }
  int32_t writeAtOffset(uint64_t, std::span<const std::byte>) override { return Object_ERROR; }

 private:
  std::vector<std::byte> b_;
  int delay_ms_;
};

std::vector<std::byte> cbor_uid(uint32_t uid) {
  // A2 01 1A <uid> 06 1B <time>: libcbor's encoding from spec §6.
  std::vector<uint8_t> v = {0xA2,
                            0x01,
                            0x1A,
                            uint8_t(uid >> 24),
                            uint8_t(uid >> 16),
                            uint8_t(uid >> 8),
                            uint8_t(uid),
                            0x06,
                            0x1B,
                            0,
                            0,
                            1,
                            0x93,
                            0x51,
                            0x8C,
                            0xC4,
                            0x7B};
  std::vector<std::byte> out(v.size());
  std::memcpy(out.data(), v.data(), v.size());
  return out;
}

int claim(uint32_t service, uint32_t claimed) {
  Object root = Object_NULL, env = Object_NULL, svc = Object_NULL;
  if (MinkCom_getRootEnvObject(&root) != Object_OK) {
    return 98;
  }
  Ref io = make_object<FixedIO>(cbor_uid(claimed), 0);
  int rv = MinkCom_getClientEnvObjectWithCreds(root, io.get(), &env);
  if (rv == Object_OK) {
    rv = IClientEnv_open(env, service, &svc);
  }
  Object_ASSIGN_NULL(svc);
  Object_ASSIGN_NULL(env);
  Object_ASSIGN_NULL(root);
  return rv == 0 || rv == 10 || rv == 11 ? rv : 99;
}

[[noreturn]] void churn(unsigned seed) {
  std::mt19937 rng(seed);
  for (;;) {
    Object root = Object_NULL;
    if (MinkCom_getRootEnvObject(&root) != Object_OK) {
      std::_Exit(3);
    }
    Ref r = Ref::adopt(root);
    Ref env;
    Ref io = make_object<FixedIO>(cbor_uid(::getuid()), int(rng() % 3));
    if (iface::IClientEnv(r).registerAsClient(io, env) != Object_OK) {
      std::_Exit(4);
    }
    Ref mem_ref, diag_ref;
    iface::IClientEnv e(env);
    e.open(CMemoryService_UID, mem_ref);
    e.open(CDiagnostics_UID, diag_ref);
    iface::IMemoryService mem(mem_ref);
    std::vector<Ref> held;
    for (int i = 0; i < 4; ++i) {
      Ref m;
      uint32_t pool = rng() % 2;
      if (mem.allocate(pool, 4096 * (1 + rng() % 4),
                       IMemoryService_RIGHT_READ | IMemoryService_RIGHT_WRITE, m) == 0) {
        if (pool == IMemoryService_POOL_SHARED) {
          auto map = Mapping::map(m.get(), FdObject::kRead | FdObject::kWrite);
          if (map) {
            map->bytes()[0] = std::byte{1};
          }
        }
        IMemoryService_ObjectInfo info{};
        mem.queryObject(m, info);
        held.push_back(std::move(m));
      }
    }
    IDiagnosticsCaptee_Counters c{};
    iface::IDiagnosticsCaptee(diag_ref).queryCounters(c);
    Object mo = Object_NULL;
    if (MinkCom_getMemoryObject(r.get(), 8192, &mo) == Object_OK) {
      void *addr = nullptr;
      size_t size = 0;
      MinkCom_getMemoryObjectInfo(mo, &addr, &size);
      Object_release(mo);
    }
  }
}

int sink(int fd) {
  ChannelOptions o;
  o.log = [](const std::string &) {};
  auto s = make_object<test::Sink>();
  auto *sp = LocalObject::from_as<test::Sink>(s.get());
  auto ch = start_channel(fd, s, o);
  if (!ch) {
    return 2;
  }
  s.reset();
  sp->wait_done();
  ch->close();
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  // TEE_AS=uid:gid[:g1,g2] drops to that identity first (the test runs as root).
  if (const char *as = std::getenv("TEE_AS"); as != nullptr && *as != '\0') {
    std::string spec(as);
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t c; (c = spec.find(':', start)) != std::string::npos; start = c + 1) {
      parts.push_back(spec.substr(start, c - start));
    }
    parts.push_back(spec.substr(start));
    std::vector<gid_t> groups;
    if (parts.size() >= 3) {
      std::string g = parts[2];
      for (char *t = std::strtok(g.data(), ","); t != nullptr; t = std::strtok(nullptr, ",")) {
        groups.push_back(gid_t(std::strtoul(t, nullptr, 10)));
      }
    }
    if (parts.size() < 2 || ::setgroups(groups.size(), groups.data()) != 0 ||
        ::setgid(gid_t(std::stoul(parts[1]))) != 0 || ::setuid(uid_t(std::stoul(parts[0]))) != 0) {
      return 97;
    }
  }
  if (argc >= 3 && std::string(argv[1]) == "open") {
    ::setenv("CAPTEE_SOCKET", argv[2], 1);
    uint32_t service = uint32_t(std::strtoul(argv[3], nullptr, 0));
    return open_service(service);
  }
  if (argc == 5 && std::string(argv[1]) == "claim") {
    ::setenv("CAPTEE_SOCKET", argv[2], 1);
    return claim(uint32_t(std::strtoul(argv[3], nullptr, 0)),
                 uint32_t(std::strtoul(argv[4], nullptr, 0)));
  }
  if (argc == 4 && std::string(argv[1]) == "churn") {
    ::setenv("CAPTEE_SOCKET", argv[2], 1);
    churn(unsigned(std::strtoul(argv[3], nullptr, 10)));
  }
  if (argc == 3 && std::string(argv[1]) == "sink") {
    return sink(std::atoi(argv[2]));
  }
  std::fprintf(stderr, "usage: tee_test_client open|claim|churn|sink ...\n");
  return 2;
}
