// The body of captee-supplicant, so its main() stays thin.
#pragma once

namespace captee::supplicant {

// The default plugin directory: OP-TEE tee-supplicant's
// (CFG_TEE_PLUGIN_LOAD_PATH).
inline constexpr const char *kDefaultPluginDir = "/usr/lib/tee-supplicant/plugins";

// captee-supplicant [--plugin-dir DIR] [--socket PATH] [--storage-dir DIR]
// Loads the plugins of DIR (default kDefaultPluginDir), registers with
// capteed at PATH (default $CAPTEE_SOCKET, else /run/captee/captee.sock) and
// serves TAs' plugin calls in the foreground; with --storage-dir it also
// keeps capteed's trusted storage there (logged "keeping capteed's storage
// in DIR ..."). Logs each plugin loaded or
// skipped, then "serving N plugin(s) ...", on stderr. Returns 1 after one
// sentence on stderr when it cannot start (bad options, capteed unreachable,
// registration refused, another supplicant registered). Once serving it ends
// the process itself (_exit: a plugin call may still be running, and nothing
// is unloaded under it): 0 after SIGTERM or SIGINT, 1 when capteed lets go of
// the listener (capteed stopped).
int supplicant_main(int argc, char **argv);

}  // namespace captee::supplicant
