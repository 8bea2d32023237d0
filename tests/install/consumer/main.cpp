#include <cstdio>

#include <captee/membrane.hpp>
#include <captee/object.hpp>

extern "C" Object answer_object(void);

int main() {
  captee::Membrane m = captee::make_membrane(captee::Ref::adopt(answer_object()));
  uint32_t value = 0;
  if (m.wrapped.invoke(0, captee::out(value)) != Object_OK || value != 42) {
    std::fprintf(stderr, "consumer: invoke through the installed library failed\n");
    return 1;
  }
  m.revoker.revoke();
  if (m.wrapped.invoke(0, captee::out(value)) != Object_ERROR_DEFUNCT) {
    std::fprintf(stderr, "consumer: revocation did not take effect\n");
    return 1;
  }
  std::printf("consumer: find_package(captee) works\n");
  return 0;
}
