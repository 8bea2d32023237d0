#include "captee/program_support/directories.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace captee {

bool ensure_directory(const std::string &path, unsigned mode, std::string *why) {
  if (path.empty()) {
    return true;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      return true;
    }
    *why = path + " is not a directory";
    return false;
  }
  if (::mkdir(path.c_str(), mode) != 0) {
    *why = "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace captee
