// The plugins captee-supplicant serves: OP-TEE tee-supplicant plugins
// (tee_plugin_method.h), shared objects loaded unchanged from one directory.
//
// Which files load, and why:
//  - regular files named *.plugin (OP-TEE's naming) or *.so, not hidden;
//    anything else in the directory is skipped;
//  - opened without following a symbolic link (O_NOFOLLOW): what loads is a
//    file of the directory, never one a link points to elsewhere;
//  - owned by root or by the supplicant's user, and not writable by group or
//    others: whoever may change the file may run code in the supplicant;
//  - loaded from the descriptor that was checked (dlopen of /proc/self/fd/N,
//    so the file cannot be swapped in between) with RTLD_NOW (a symbol the
//    plugin lacks fails the load, not a TA's call);
//  - exporting `plugin_method` with a name and an invoke function, whose
//    init (if any) answers TEEC_SUCCESS once, at load;
//  - naming a UUID no file before it (in name order) took.
// Each file skipped is logged with its reason; the set serves the rest.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tee_client_api.h"
#include "tee_plugin_method.h"

namespace captee::supplicant {

// Receives one log line (no trailing newline). Thread-safe if the set's
// users log from several threads.
using Log = std::function<void(const std::string &)>;

class PluginSet {
 public:
  // What was loaded, for log lines and tests.
  struct Loaded {
    std::string file;  // the name within the directory
    std::string name;  // plugin_method.name, made printable
    TEEC_UUID uuid;
  };

  PluginSet() = default;
  PluginSet(PluginSet &&other) noexcept;
  PluginSet &operator=(PluginSet &&other) noexcept;
  PluginSet(const PluginSet &) = delete;
  PluginSet &operator=(const PluginSet &) = delete;
  // Unloads every plugin (dlclose), which must not be running.
  ~PluginSet();

  // Loads the plugins of `dir` by the rules above, logging through `log`
  // (may be empty) each plugin loaded and each file skipped. A missing or
  // unreadable directory gives an empty set and one log line, as
  // tee-supplicant carries on without one.
  static PluginSet load(const std::string &dir, const Log &log);

  // Calls the invoke of the plugin whose UUID is `uuid` with the other
  // arguments as they are, and returns its result; TEEC_ERROR_ITEM_NOT_FOUND
  // if no plugin has that UUID. Plugins need not be thread-safe: callers
  // make one call at a time.
  TEEC_Result invoke(const TEEC_UUID &uuid, unsigned int cmd, unsigned int sub_cmd, void *data,
                     size_t in_len, size_t *out_len) const;

  std::vector<Loaded> loaded() const;
  size_t size() const { return plugins_.size(); }

 private:
  struct Plugin {
    std::string file;
    void *handle = nullptr;  // dlopen's
    int fd = -1;             // the file's descriptor, open while it is loaded
    const plugin_method *method = nullptr;
  };
  void unload() noexcept;

  std::vector<Plugin> plugins_;
};

// Whether two UUIDs are the same, field by field.
bool same_uuid(const TEEC_UUID &a, const TEEC_UUID &b);

// The text form, 8-4-4-4-12 lower-case hex.
std::string uuid_text(const TEEC_UUID &u);

}  // namespace captee::supplicant
