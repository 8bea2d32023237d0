#include "adder.hpp"

namespace bench {
namespace {
struct AdderImpl final : Adder {
  int32_t add(const AddIn &in, uint32_t *sum) override {
    *sum = in.a + in.b;
    return 0;
  }
};
}  // namespace

Adder *make_adder() {
  return new AdderImpl;
}

}  // namespace bench
