// FdObject in the object layer: a descriptor owned by an object, closed with
// its last reference. Linked against captee::object alone, so the memory and
// platform layers can build on it without the channel layer.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "captee/fd_object.hpp"

namespace captee {
namespace {

bool is_open(int fd) {
  return ::fcntl(fd, F_GETFD) != -1;
}

TEST(FdObject, AdoptingANegativeDescriptorGivesNull) {
  EXPECT_FALSE(FdObject::adopt(-1, FdObject::kRead));
}

TEST(FdObject, OwnsItsDescriptorUntilTheLastReferenceGoes) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  ::close(p[1]);
  Ref obj = FdObject::adopt(p[0], FdObject::kRead | FdObject::kWrite);
  ASSERT_TRUE(obj);
  auto *fdo = LocalObject::from_as<FdObject>(obj.get());
  ASSERT_NE(fdo, nullptr);
  EXPECT_EQ(fdo->fd(), p[0]);
  EXPECT_EQ(fdo->rights(), FdObject::kRead | FdObject::kWrite);
  Ref second = obj;
  obj = Ref();
  EXPECT_TRUE(is_open(p[0]));
  second = Ref();
  EXPECT_FALSE(is_open(p[0]));
}

TEST(FdObject, HasNoMethodsOfItsOwn) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  ::close(p[1]);
  Ref obj = FdObject::adopt(p[0], FdObject::kRead);
  EXPECT_EQ(Object_invoke(obj.get(), 0, nullptr, 0), Object_ERROR_INVALID);
}

}  // namespace
}  // namespace captee
