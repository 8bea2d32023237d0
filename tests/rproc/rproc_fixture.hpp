// An in-process capteed (the real Daemon, GP app client and remoteproc
// extension on a temporary socket) and an in-process rproc::Manager talking
// to it over that socket, as captee-rprocd does. The SoC stays reachable, so
// tests can look at secure memory (the secure probe).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "captee/platform/description.hpp"
#include "captee/platform/remote_processor.hpp"
#include "captee/rproc/manager.hpp"
#include "captee/ta/remoteproc_extension.hpp"
#include "captee/tee/app_services.hpp"
#include "captee/tee/daemon.hpp"

namespace captee::rproc::testing {

using Bytes = std::vector<uint8_t>;

bool eventually(const std::function<bool()> &cond,
                std::chrono::milliseconds limit = std::chrono::seconds(10));
Bytes read_file(const std::string &path);
std::string test_data(const std::string &name);  // shared/test-data/rproc/<name>
bool firmware_built();
Bytes dev_signed_firmware();
Bytes dev_signed_bundle();
// firmware/captee-rpmsg-echo.c, signed with the development key.
Bytes rpmsg_echo_firmware();
// The same firmware, whose used index jumps after it announced its channel.
Bytes rpmsg_hostile_firmware();

// Signs `elfs` with the suite's generated RSA key (capteed trusts it).
Bytes sign(const std::vector<Bytes> &elfs);
// Firmware whose reset handler executes an undefined instruction at once.
Bytes crash_at_once_firmware();
// Firmware that runs forever and never writes a trace (it has no table).
Bytes silent_firmware();
// Firmware whose table wants vring 0 at FW_RSC_ADDR_ANY with 256 descriptors:
// the default platform has no non-secure memory for it and its reserved
// vdev0vring0 is too small, so its boot fails after LOAD_FW.
Bytes unplaceable_vring_firmware();

// Firmware laid out as ST's OpenAMP examples for the STM32MP157's M4: a
// table with a trace and one rpmsg vdev whose two vrings (16 buffers, align
// 16) are FW_RSC_ADDR_ANY and no vdev0buffer carveout; the host finds all
// three in the board's reserved memory. Runs forever (`b .`). With
// `data_in_vring0`, a signed data segment also loads into vdev0vring0's page.
Bytes st_style_firmware(bool data_in_vring0 = false);
// Its resource table's device address.
inline constexpr uint32_t kStStyleTableDa = 0x10000000;

// capteed in this process.
class InProcessCapteed {
 public:
  // On a socket in a new temporary directory, or at `socket` when given (the
  // caller owns that directory).
  explicit InProcessCapteed(platform::PlatformDescription desc = platform::default_platform(),
                            std::string socket = "");
  ~InProcessCapteed();
  bool ok() const { return ok_; }
  const std::string &socket() const { return socket_; }
  platform::Soc &soc() { return *ext_.soc(); }
  // Every byte of every region of processor `id` is zero.
  bool memory_wiped(uint32_t id = 0);
  // A line of capteed's log (the TA's included) holds `text`.
  bool log_contains(const std::string &text);
  void stop();  // capteed goes away (and its SoC with it)

 private:
  std::string dir_, socket_;
  std::mutex log_mu_;  // declared before the daemon, which logs until it is gone
  std::vector<std::string> log_;
  std::unique_ptr<tee::Daemon> daemon_;
  ta::RemoteprocExtension ext_;
  std::shared_ptr<tee::apps::AppRegistry> apps_;
  bool ok_ = false;
};

class RprocFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Starts the manager with `options` (tee_socket filled in).
  void start_manager(ManagerOptions options = {});
  RemoteProc &proc(uint32_t id = 0) { return *manager_->processor(id); }
  std::string trace(uint32_t id = 0);
  bool log_contains(const std::string &text);
  ManagerOptions default_options();

  std::unique_ptr<InProcessCapteed> tee_;
  std::unique_ptr<Manager> manager_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

}  // namespace captee::rproc::testing
