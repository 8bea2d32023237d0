#include "rproc_fixture.hpp"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "captee/fwimage/tools/sign.hpp"
#include "captee/testing/synthetic_elf.hpp"
#include "captee/testing/test_keys.hpp"
#include "captee/tee/builtin_ta.hpp"

namespace captee::rproc::testing {

bool eventually(const std::function<bool()> &cond, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return cond();
}

Bytes read_file(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f) << path;
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::string test_data(const std::string &name) {
  return std::string(CAPTEE_TEST_DATA_DIR) + "/rproc/" + name;
}

bool firmware_built() {
  return std::string(CAPTEE_FIRMWARE_SIGNED).size() > 0;
}
Bytes dev_signed_firmware() {
  return read_file(CAPTEE_FIRMWARE_SIGNED);
}
Bytes dev_signed_bundle() {
  return read_file(CAPTEE_FIRMWARE_BUNDLE_SIGNED);
}
Bytes rpmsg_echo_firmware() {
  return read_file(CAPTEE_FIRMWARE_RPMSG_ECHO_SIGNED);
}
Bytes rpmsg_hostile_firmware() {
  return read_file(CAPTEE_FIRMWARE_RPMSG_HOSTILE_SIGNED);
}

Bytes sign(const std::vector<Bytes> &elfs) {
  const std::string &pem = captee::testing::rsa_private_pem(2048);
  auto key = fwimage::PrivateKey::from_pem(
      {reinterpret_cast<const uint8_t *>(pem.data()), pem.size()}, {});
  EXPECT_TRUE(key.ok());
  fwimage::SignRequest req;
  for (const Bytes &e : elfs) {
    req.images.emplace_back(e);
  }
  auto out = fwimage::sign_images(req, key.value());
  EXPECT_TRUE(out.ok()) << out.error().message;
  return out.ok() ? out.value() : Bytes{};
}

namespace {

// A vector table (SP, reset with the Thumb bit) then one Thumb instruction.
Bytes one_instruction(uint16_t insn) {
  Bytes code(12, 0);
  const uint32_t sp = 0x10001000, reset = 0x9;
  std::memcpy(code.data(), &sp, 4);
  std::memcpy(code.data() + 4, &reset, 4);
  std::memcpy(code.data() + 8, &insn, 2);
  return code;
}

Bytes elf_of(Bytes code) {
  captee::testing::FakeElf elf;
  elf.segments.push_back({1, 0x0, std::move(code), 0, 5});
  return captee::testing::build_elf(elf);
}

}  // namespace

Bytes crash_at_once_firmware() {
  return sign({elf_of(one_instruction(0xDE00))});  // udf #0
}

Bytes silent_firmware() {
  return sign({elf_of(one_instruction(0xE7FE))});  // b .
}

Bytes unplaceable_vring_firmware() {
  std::vector<uint8_t> table = captee::testing::sample_resource_table();
  const uint32_t any = 0xFFFFFFFF;
  std::memcpy(table.data() + 160, &any, 4);  // vdev entry at 132, its vring 0 at 160
  // 256 descriptors: more than the board's 4 KiB vdev0vring0 region holds.
  const uint32_t num = 256;
  std::memcpy(table.data() + 168, &num, 4);
  captee::testing::FakeElf elf;
  elf.segments.push_back({1, 0x0, one_instruction(0xE7FE), 0, 5});
  elf.segments.push_back({1, 0x10000000, std::move(table), 1024});
  elf.resource_table_segment = 1;
  return sign({captee::testing::build_elf(elf)});
}

Bytes st_style_firmware(bool data_in_vring0) {
  std::vector<uint8_t> t;
  auto put = [&](uint32_t v) {
    for (int i = 0; i < 4; i++) {
      t.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
  };
  for (uint32_t v : {1u, 2u, 0u, 0u, 24u, 72u}) {  // header: 2 entries at 24 and 72
    put(v);
  }
  for (uint32_t v : {2u, 0x10000400u, 1024u, 0u}) {  // trace
    put(v);
  }
  t.resize(t.size() + 32, 0);
  std::memcpy(t.data() + t.size() - 32, "trace0", 6);
  const uint32_t any = 0xFFFFFFFF;
  for (uint32_t v : {3u, 7u, 0u, 1u, 0u, 0u, 0x00000200u}) {  // vdev: rpmsg, F_NS, 2 vrings
    put(v);
  }
  for (uint32_t v : {any, 16u, 16u, 0u, 0u, any, 16u, 16u, 1u, 0u}) {
    put(v);
  }
  captee::testing::FakeElf elf;
  elf.segments.push_back({1, 0x0, one_instruction(0xE7FE), 0, 5});
  elf.segments.push_back({1, kStStyleTableDa, std::move(t), 2048});
  elf.resource_table_segment = 1;
  if (data_in_vring0) {
    elf.segments.push_back({1, 0x10040800, std::vector<uint8_t>(64, 0x5A), 0, 6});
  }
  return sign({captee::testing::build_elf(elf)});
}

InProcessCapteed::InProcessCapteed(platform::PlatformDescription desc, std::string socket) {
  if (socket.empty()) {
    char tmpl[] = "/tmp/captee-rproc-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      return;
    }
    dir_ = tmpl;
    socket_ = dir_ + "/captee.sock";
  } else {
    socket_ = std::move(socket);
  }
  tee::DaemonOptions opts;
  opts.socket_path = socket_;
  opts.policy = tee::Policy::allow_all();  // the policy has tests of its own
  opts.log = [this](tee::LogLevel, const std::string &line) {
    std::lock_guard<std::mutex> lock(log_mu_);
    log_.push_back(line);
  };
  daemon_ = std::make_unique<tee::Daemon>(std::move(opts));
  ext_.platform_description = std::move(desc);
  ext_.public_keys_pem = {captee::testing::public_pem_of(captee::testing::rsa_private_pem(2048))};
  if (firmware_built()) {
    Bytes pub = read_file(CAPTEE_FIRMWARE_DEV_PUBKEY);
    ext_.public_keys_pem.emplace_back(pub.begin(), pub.end());
  }
  Bytes optee = read_file(test_data("test-rsa2048.pub.pem"));
  ext_.public_keys_pem.emplace_back(optee.begin(), optee.end());
  auto builtins = std::make_shared<tee::BuiltinTaTable>();
  std::string why;
  if (!ext_.install(*daemon_, *builtins, &why)) {
    ADD_FAILURE() << why;
    return;
  }
  apps_ = tee::install_app_services(*daemon_, {}, builtins);
  ok_ = daemon_->start(&why);
  EXPECT_TRUE(ok_) << why;
}

bool InProcessCapteed::log_contains(const std::string &text) {
  std::lock_guard<std::mutex> lock(log_mu_);
  return std::any_of(log_.begin(), log_.end(),
                     [&](const std::string &l) { return l.find(text) != std::string::npos; });
}

InProcessCapteed::~InProcessCapteed() {
  stop();
  if (!dir_.empty()) {
    std::filesystem::remove_all(dir_);
  }
}

void InProcessCapteed::stop() {
  if (daemon_) {
    daemon_->stop();
  }
  if (apps_) {
    apps_->shutdown();
  }
  ext_.shutdown();
  daemon_.reset();
}

bool InProcessCapteed::memory_wiped(uint32_t id) {
  platform::RemoteProcessor *p = ext_.soc()->processor(id);
  for (const auto &r : p->regions()) {
    auto b = p->translate(r->da(), r->size());
    if (std::any_of(b.begin(), b.end(), [](uint8_t v) { return v != 0; })) {
      return false;
    }
  }
  return true;
}

ManagerOptions RprocFixture::default_options() {
  ManagerOptions o;
  o.proc.policy.first_delay = std::chrono::milliseconds(5);
  o.proc.log = [this](const std::string &line) {
    std::lock_guard<std::mutex> lock(log_mu_);
    log_.push_back(line);
  };
  return o;
}

void RprocFixture::SetUp() {
  tee_ = std::make_unique<InProcessCapteed>();
  ASSERT_TRUE(tee_->ok());
}

void RprocFixture::start_manager(ManagerOptions options) {
  options.tee_socket = tee_->socket();
  if (!options.proc.log) {
    options.proc.log = default_options().proc.log;
  }
  manager_ = std::make_unique<Manager>(std::move(options));
  std::string why;
  ASSERT_TRUE(manager_->start(&why)) << why;
  ASSERT_NE(manager_->processor(0), nullptr);
}

void RprocFixture::TearDown() {
  if (manager_) {
    manager_->shutdown();
  }
  manager_.reset();
  tee_.reset();
}

std::string RprocFixture::trace(uint32_t id) {
  std::string t;
  return proc(id).trace(0, &t) == Outcome::kOk ? t : "<no trace>";
}

bool RprocFixture::log_contains(const std::string &text) {
  std::lock_guard<std::mutex> lock(log_mu_);
  return std::any_of(log_.begin(), log_.end(),
                     [&](const std::string &l) { return l.find(text) != std::string::npos; });
}

}  // namespace captee::rproc::testing
