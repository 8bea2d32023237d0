#include "captee/fd_object.hpp"

#include <unistd.h>

namespace captee {

Ref FdObject::adopt(int fd, uint8_t rights) {
  if (fd < 0) {
    return {};
  }
  auto *obj = new FdObject(fd, rights);
  return Ref::adopt(obj->as_object());
}

FdObject::~FdObject() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

}  // namespace captee
