// The baseline of bench_object: a plain C++ interface whose implementation
// lives in another translation unit, so the compiler cannot devirtualise or
// inline the call, just as it cannot inline an object invoke.
#pragma once

#include <cstdint>

namespace bench {

struct AddIn {
  uint32_t a, b;
};

struct Adder {
  virtual ~Adder() = default;
  virtual int32_t add(const AddIn &in, uint32_t *sum) = 0;
};

Adder *make_adder();

}  // namespace bench
