// The state, socket and dump directories captee's daemons (capteed,
// captee-rprocd) create at start-up.
#pragma once

#include <string>

namespace captee {

// True if `path` is a directory, creating it (one level, with `mode`) if it
// does not exist. An empty path is true. false with one sentence in *why if it
// is something else or cannot be created.
bool ensure_directory(const std::string &path, unsigned mode, std::string *why);

}  // namespace captee
