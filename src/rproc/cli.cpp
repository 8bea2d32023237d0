// `captee rproc ...`: the Linux remoteproc controls (state, firmware,
// recovery, crash, coredump, trace) against captee-rprocd.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sys/stat.h>

#include "IRemoteProc.hpp"
#include "IRemoteProcManager.hpp"
#include "IRemoteProcProgress.hpp"
#include "captee/channel.hpp"
#include "captee/detail/printable.hpp"
#include "captee/memory.hpp"
#include "captee/rproc/programs.hpp"
#include "rpmsg_cli.hpp"

namespace captee::rproc {

namespace {

constexpr std::streamoff kMaxImage = 64 << 20;

std::string default_socket() {
  const char *env = std::getenv("CAPTEE_RPROC_SOCKET");
  return env != nullptr && *env != '\0' ? env : "/run/captee/rproc.sock";
}

const char *state_name(uint32_t s) {
  switch (s) {
    case IRemoteProc_STATE_OFFLINE:
      return "offline";
    case IRemoteProc_STATE_SUSPENDED:
      return "suspended";
    case IRemoteProc_STATE_RUNNING:
      return "running";
    case IRemoteProc_STATE_CRASHED:
      return "crashed";
    case IRemoteProc_STATE_DELETED:
      return "deleted";
    case IRemoteProc_STATE_ATTACHED:
      return "attached";
    case IRemoteProc_STATE_DETACHED:
      return "detached";
    case IRemoteProc_STATE_UNAVAILABLE:
      return "unavailable";
  }
  return "invalid";
}

std::string text(const iface::IRemoteProc &p, uint32_t which) {
  std::string buf(4096, '\0');
  size_t len = 0;
  if (p.getText(which, std::as_writable_bytes(std::span(buf)), len) != Object_OK) {
    return "";
  }
  buf.resize(std::min(len, buf.size()));
  return buf;
}

// JSON for a terminal: pure ASCII (every other character as \uXXXX, control
// characters escaped by the JSON rules), bytes that are not UTF-8 replaced.
// The strings come from captee-rprocd and the firmware.
std::string json_line(const nlohmann::json &j) {
  return j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

// Prints each step of a long operation, when asked to.
class PrintProgress final : public iface::IRemoteProcProgressSkeleton {
 public:
  explicit PrintProgress(std::ostream &out) : out_(out) {}
  int32_t step(std::span<const std::byte> t) override {
    out_ << "  " << printable({reinterpret_cast<const char *>(t.data()), t.size()}) << "\n"
         << std::flush;
    return Object_OK;
  }

 private:
  std::ostream &out_;
};

class RprocCli final : public CliExtension {
 public:
  void add_commands(CLI::App &app) override {
    cmd_ = app.add_subcommand("rproc", "Remote processors, through captee-rprocd");
    cmd_->add_option("--rproc", id_, "Processor (rproc_id); default 0, or all for state");
    cmd_->add_option("--rproc-socket", socket_,
                     "captee-rprocd's socket (default $CAPTEE_RPROC_SOCKET, else "
                     "/run/captee/rproc.sock)");
    cmd_->require_subcommand(1);
    boot_ = cmd_->add_subcommand("boot", "Boot a signed firmware image; exits 0 once running");
    boot_->add_option("FILE", file_, "Signed image (or a name in rprocd's firmware directory)")
        ->required();
    stop_ = cmd_->add_subcommand("stop", "Stop the firmware and wipe its memory");
    state_ = cmd_->add_subcommand("state", "State, firmware, crashes and recovery mode");
    state_->add_flag("--json", json_, "One JSON object per processor");
    trace_ = cmd_->add_subcommand("trace", "Print a trace buffer of the firmware");
    trace_->add_option("INDEX", index_, "Trace buffer (default 0)");
    crash_ = cmd_->add_subcommand("crash", "Crash the running firmware (fault injection)");
    recovery_ = cmd_->add_subcommand("recovery", "Automatic recovery on crashes");
    recovery_->add_option("MODE", mode_, "enabled, disabled or recover")
        ->required()
        ->check(CLI::IsMember({"enabled", "disabled", "recover"}));
    coredump_ = cmd_->add_subcommand("coredump", "Write the last core dump (ELF32)");
    coredump_->add_option("--out", out_file_, "Where")->required();
    coredump_mode_ = cmd_->add_subcommand("coredump-mode", "Core dumps on crashes");
    coredump_mode_->add_option("MODE", mode_, "enabled or disabled")
        ->required()
        ->check(CLI::IsMember({"enabled", "disabled"}));
    list_ = cmd_->add_subcommand("list", "All processors");
    list_->add_flag("--json", json_, "A JSON array");
    console_ = cmd_->add_subcommand("console", "Print the board's console (USART3) output");
    console_send_ = cmd_->add_subcommand("console-send", "Type TEXT into the board's console");
    console_send_->add_option("TEXT", text_, "Bytes to send (a newline is not added)")->required();
    gpio_ = cmd_->add_subcommand("gpio", "Drive a GPIO input, as a button would");
    gpio_->add_option("PORT", port_, "0 = GPIOA ... 10 = GPIOK, 11 = GPIOZ")->required();
    gpio_->add_option("PIN", pin_, "0-15")->required();
    gpio_->add_option("LEVEL", level_, "0 or 1")->required();
    rpmsg_ = cmd_->add_subcommand("rpmsg", "The firmware's rpmsg channels");
    rpmsg_->require_subcommand(1);
    rpmsg_list_ = rpmsg_->add_subcommand("list", "Channels the firmware announced");
    rpmsg_list_->add_flag("--json", rpmsg_cmd_.json, "A JSON array");
    rpmsg_send_ = rpmsg_->add_subcommand("send", "Send one message (up to 496 bytes)");
    rpmsg_send_->add_option("NAME", rpmsg_cmd_.name, "Channel name")->required();
    rpmsg_send_->add_option("DATA", rpmsg_cmd_.data, "The message")->required();
    rpmsg_send_->add_option("--index", rpmsg_cmd_.index, "Which channel of that name (default 0)");
    rpmsg_listen_ = rpmsg_->add_subcommand("listen", "Print the channel's messages as they come");
    rpmsg_listen_->add_option("NAME", rpmsg_cmd_.name, "Channel name")->required();
    rpmsg_listen_->add_option("--index", rpmsg_cmd_.index, "Which channel of that name");
    rpmsg_listen_->add_option("--count", rpmsg_cmd_.count, "Exit after this many messages");
    tty_ = cmd_->add_subcommand("tty", "Print the pty path of an rpmsg-tty channel");
    tty_->add_option("NAME", rpmsg_cmd_.name, "Channel name (rpmsg-tty)")->required();
    tty_->add_option("--index", rpmsg_cmd_.index, "Which channel of that name (default 0)");
  }

  std::optional<int> run(std::ostream &out, std::ostream &err) override {
    if (cmd_ == nullptr || !cmd_->parsed()) {
      return std::nullopt;
    }
    ChannelOptions o;
    o.log = [](const std::string &) {};
    std::string why;
    Ref root = connect(socket_, o, &why);
    if (root.is_null()) {
      err << "captee: cannot reach captee-rprocd at " << socket_ << " (" << why << ").\n";
      return 1;
    }
    iface::IRemoteProcManager mgr(root);
    if (list_->parsed() || (state_->parsed() && !id_given())) {
      return list(mgr, out, err, state_->parsed());
    }
    Ref p;
    if (int32_t rv = mgr.open(id_, p); rv != Object_OK) {
      err << "captee: captee-rprocd has no processor " << id_
          << (rv == IRemoteProcManager_ERROR_NO_SUCH_PROCESSOR ? "" : " it can reach") << ".\n";
      return 1;
    }
    iface::IRemoteProc proc(p);
    if (state_->parsed()) {
      return show_state(proc, out, err);
    }
    if (boot_->parsed()) {
      return boot(proc, out, err);
    }
    if (rpmsg_->parsed() || tty_->parsed()) {
      using K = RpmsgCommand::Kind;
      rpmsg_cmd_.kind = tty_->parsed()            ? K::kTty
                        : rpmsg_send_->parsed()   ? K::kSend
                        : rpmsg_listen_->parsed() ? K::kListen
                                                  : K::kList;
      return run_rpmsg_command(proc, id_, rpmsg_cmd_, out, err);
    }
    if (console_->parsed() || console_send_->parsed() || gpio_->parsed()) {
      return board(proc, out, err);
    }
    if (trace_->parsed()) {
      std::string buf(1 << 20, '\0');
      size_t len = 0;
      int32_t rv = proc.readTrace(index_, std::as_writable_bytes(std::span(buf)), len);
      if (rv != Object_OK) {
        err << "captee: rproc " << id_ << " has no trace buffer " << index_
            << (rv == IRemoteProc_ERROR_NOT_FOUND ? " (no firmware with one is loaded)" : "")
            << ".\n";
        return 1;
      }
      buf.resize(std::min(len, buf.size()));
      // The firmware wrote these bytes: escape sequences in them would act
      // on the terminal.
      const std::string text = printable(buf, Lines::kMany);
      out << text << (text.empty() || text.back() == '\n' ? "" : "\n");
      return 0;
    }
    if (coredump_->parsed()) {
      return write_coredump(proc, out, err);
    }
    int32_t rv = Object_OK;
    const char *what = "";
    if (stop_->parsed()) {
      rv = proc.stop();
      what = "stop";
    } else if (crash_->parsed()) {
      const char reason[] = "requested with captee rproc crash";
      rv = proc.crash(std::as_bytes(std::span(reason, sizeof reason - 1)));
      what = "crash";
    } else if (recovery_->parsed()) {
      what = "recover";
      if (mode_ == "recover") {
        Ref progress = progress_object(out);
        rv = proc.recover(progress);
      } else {
        rv = proc.setRecovery(mode_ == "enabled" ? IRemoteProc_RECOVERY_ENABLED
                                                 : IRemoteProc_RECOVERY_DISABLED);
      }
    } else if (coredump_mode_->parsed()) {
      what = "coredump-mode";
      rv = proc.setCoredump(mode_ == "enabled" ? IRemoteProc_COREDUMP_ENABLED
                                               : IRemoteProc_COREDUMP_DISABLED);
    }
    if (rv != Object_OK) {
      return failed(proc, what, rv, err);
    }
    if (recovery_->parsed() && mode_ == "recover") {
      out << "rproc " << id_ << " is running again\n";
    }
    return 0;
  }

 private:
  bool id_given() const { return cmd_->get_option("--rproc")->count() > 0; }

  Ref progress_object(std::ostream &out) {
    // Only a person at a terminal wants the steps.
    return ::isatty(STDOUT_FILENO) ? make_object<PrintProgress>(out) : Ref();
  }

  int failed(const iface::IRemoteProc &proc, const char *what, int32_t rv, std::ostream &err) {
    std::string reason = text(proc, IRemoteProc_TEXT_LAST_ERROR);
    switch (rv) {
      case IRemoteProc_ERROR_BUSY:
        reason = "another operation is running on it";
        break;
      case IRemoteProc_ERROR_UNAVAILABLE:
        reason = "capteed cannot be reached";
        break;
      case IRemoteProc_ERROR_SHUTTING_DOWN:
        reason = "captee-rprocd is shutting down";
        break;
      case Object_ERROR_INVALID:
        reason = "captee-rprocd refused the request as malformed";
        break;
      default:
        if (reason.empty()) {
          reason = "error " + std::to_string(rv);
        }
    }
    err << "captee: rproc " << id_ << " " << what << ": " << printable(reason) << ".\n";
    return 1;
  }

  int boot(const iface::IRemoteProc &proc, std::ostream &out, std::ostream &err) {
    Ref progress = progress_object(out);
    std::ifstream in(file_, std::ios::binary | std::ios::ate);
    const std::string name = file_.substr(file_.rfind('/') + 1);
    int32_t rv = Object_OK;
    if (!in) {
      if (file_.find('/') != std::string::npos) {
        err << "captee: cannot read the firmware file " << file_ << ".\n";
        return 1;
      }
      rv = proc.bootFile(std::as_bytes(std::span(name.data(), name.size())), progress);
      if (rv == IRemoteProc_ERROR_NOT_FOUND) {
        err << "captee: cannot read the firmware file " << file_
            << ", here or in captee-rprocd's firmware directory.\n";
        return 1;
      }
    } else {
      const std::streamoff size = in.tellg();
      if (size <= 0 || size > kMaxImage) {
        err << "captee: the firmware file " << file_ << " is empty or larger than 64 MiB.\n";
        return 1;
      }
      Ref mem = MemoryObject::create(static_cast<size_t>(size));
      auto *mo = LocalObject::from_as<MemoryObject>(mem.get());
      if (mo == nullptr) {
        err << "captee: out of memory for " << file_ << ".\n";
        return 1;
      }
      in.seekg(0);
      in.read(reinterpret_cast<char *>(mo->bytes().data()), size);
      if (::isatty(STDOUT_FILENO)) {
        out << "booting " << name << " on rproc " << id_ << "\n";
      }
      rv = proc.boot(mem, static_cast<uint64_t>(size),
                     std::as_bytes(std::span(name.data(), name.size())), progress);
    }
    if (rv != Object_OK) {
      return failed(proc, "boot", rv, err);
    }
    out << "rproc " << id_ << " is running " << name << "\n";
    return 0;
  }

  nlohmann::json status_json(uint32_t id, const iface::IRemoteProc &proc, bool *ok) {
    IRemoteProc_Status s{};
    *ok = proc.getStatus(s) == Object_OK;
    return {{"rproc", id},
            {"state", *ok ? state_name(s.state) : "unavailable"},
            {"firmware", text(proc, IRemoteProc_TEXT_FIRMWARE)},
            {"crash_count", s.crashCount},
            {"last_crash", text(proc, IRemoteProc_TEXT_LAST_CRASH)},
            {"recovery", s.recovery == IRemoteProc_RECOVERY_ENABLED ? "enabled" : "disabled"},
            {"coredump", s.coredump == IRemoteProc_COREDUMP_ENABLED ? "enabled" : "disabled"},
            {"boot_count", s.bootCount},
            {"busy", s.busy != 0},
            {"last_error", text(proc, IRemoteProc_TEXT_LAST_ERROR)}};
  }

  void print_line(const nlohmann::json &j, std::ostream &out) {
    out << "rproc " << j["rproc"].get<uint32_t>() << ": " << j["state"].get<std::string>();
    const std::string fw = j["firmware"];
    if (!fw.empty()) {
      out << ", firmware " << printable(fw);
    }
    out << ", " << j["crash_count"].get<uint32_t>() << " crash"
        << (j["crash_count"] == 1 ? "" : "es") << ", recovery " << j["recovery"].get<std::string>();
    if (!j["last_crash"].get<std::string>().empty()) {
      out << "\n  last crash: " << printable(j["last_crash"].get<std::string>());
    }
    if (!j["last_error"].get<std::string>().empty()) {
      out << "\n  last error: " << printable(j["last_error"].get<std::string>());
    }
    out << "\n";
  }

  int show_state(const iface::IRemoteProc &proc, std::ostream &out, std::ostream &err) {
    bool ok = false;
    nlohmann::json j = status_json(id_, proc, &ok);
    if (!ok) {
      err << "captee: rproc " << id_ << " did not report its state.\n";
      return 1;
    }
    if (json_) {
      out << json_line(j) << "\n";
    } else {
      print_line(j, out);
    }
    return 0;
  }

  int list(const iface::IRemoteProcManager &mgr, std::ostream &out, std::ostream &err, bool state) {
    uint32_t ids[64];
    size_t n = 0;
    if (mgr.list(ids, n) != Object_OK) {
      err << "captee: captee-rprocd did not list its processors.\n";
      return 1;
    }
    nlohmann::json all = nlohmann::json::array();
    for (size_t i = 0; i < n; i++) {
      Ref p;
      bool ok = false;
      if (mgr.open(ids[i], p) == Object_OK) {
        all.push_back(status_json(ids[i], iface::IRemoteProc(p), &ok));
      }
    }
    if (n == 0 && !json_) {
      out << "no processors (captee-rprocd has not reached capteed yet)\n";
    }
    for (const auto &j : all) {
      if (!json_) {
        print_line(j, out);
      } else if (state) {
        out << json_line(j) << "\n";  // one object per processor
      }
    }
    if (json_ && !state) {
      out << json_line(all) << "\n";
    }
    return 0;
  }

  int write_coredump(const iface::IRemoteProc &proc, std::ostream &out, std::ostream &err) {
    Ref mem;
    uint64_t size = 0;
    if (int32_t rv = proc.getCoredump(mem, size); rv != Object_OK) {
      if (rv == IRemoteProc_ERROR_NOT_FOUND) {
        err << "captee: rproc " << id_ << " has no core dump (it has not crashed).\n";
        return 1;
      }
      return failed(proc, "coredump", rv, err);
    }
    std::optional<Mapping> m = Mapping::map(mem.get(), FdObject::kRead);
    if (!m || m->bytes().size() < size) {
      err << "captee: captee-rprocd sent an unreadable core dump.\n";
      return 1;
    }
    std::ofstream f(out_file_, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char *>(m->bytes().data()), static_cast<std::streamsize>(size));
    if (!f) {
      err << "captee: cannot write " << out_file_ << ".\n";
      return 1;
    }
    out << "wrote " << size << " bytes to " << out_file_ << "\n";
    return 0;
  }

  // console, console-send and gpio: the board's devices the host may touch.
  int board(iface::IRemoteProc &proc, std::ostream &out, std::ostream &err) {
    const char *what = gpio_->parsed() ? "GPIO" : "console";
    int32_t rv = Object_OK;
    if (console_->parsed()) {
      std::string buf(64 * 1024, '\0');
      size_t len = 0;
      uint64_t next = 0;
      rv = proc.readConsole(0, std::as_writable_bytes(std::span(buf)), len, next);
      if (rv == Object_OK) {
        buf.resize(std::min(len, buf.size()));
        // The firmware wrote these bytes: escape sequences in them would act
        // on the terminal.
        const std::string text = printable(buf, Lines::kMany);
        out << text << (text.empty() || text.back() == '\n' ? "" : "\n");
        return 0;
      }
    } else if (console_send_->parsed()) {
      uint32_t taken = 0;
      rv = proc.writeConsole(std::as_bytes(std::span(text_)), taken);
      if (rv == Object_OK) {
        out << "sent " << taken << " of " << text_.size() << " bytes\n";
        return taken == text_.size() ? 0 : 1;
      }
    } else {
      rv = proc.setGpioInput(port_, pin_, level_);
      if (rv == Object_OK) {
        return 0;
      }
    }
    err << "captee: rproc " << id_ << ": "
        << (rv == IRemoteProc_ERROR_NOT_FOUND     ? std::string("the platform has no ") + what
            : rv == Object_ERROR_INVALID          ? std::string("no such pin or level")
            : rv == IRemoteProc_ERROR_UNAVAILABLE ? std::string("capteed cannot be reached")
                                                  : std::string("the request failed"))
        << ".\n";
    return 1;
  }

  CLI::App *cmd_ = nullptr, *boot_ = nullptr, *stop_ = nullptr, *state_ = nullptr,
           *trace_ = nullptr, *crash_ = nullptr, *recovery_ = nullptr, *coredump_ = nullptr,
           *coredump_mode_ = nullptr, *list_ = nullptr, *console_ = nullptr,
           *console_send_ = nullptr, *gpio_ = nullptr, *rpmsg_ = nullptr, *rpmsg_list_ = nullptr,
           *rpmsg_send_ = nullptr, *rpmsg_listen_ = nullptr, *tty_ = nullptr;
  RpmsgCommand rpmsg_cmd_;
  uint32_t id_ = 0;
  uint32_t index_ = 0;
  uint32_t port_ = 0, pin_ = 0, level_ = 0;
  std::string text_;
  std::string socket_ = default_socket();
  std::string file_, mode_, out_file_;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<CliExtension> make_rproc_cli() {
  return std::make_unique<RprocCli>();
}

}  // namespace captee::rproc
