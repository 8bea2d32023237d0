// In-process invoke through captee::Ref against a plain C++ virtual call doing
// the same work (add two u32, return the sum through an output).
#include <benchmark/benchmark.h>

#include <cstring>

#include "adder.hpp"
#include "captee/object.hpp"

namespace {

using bench::AddIn;

class AdderObject final : public captee::LocalObject {
 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *a, ObjectCounts k) override {
    if (method != 0 || k != ObjectCounts_pack(1, 1, 0, 0) || a[0].bi.size != sizeof(AddIn) ||
        a[1].b.size < sizeof(uint32_t)) {
      return Object_ERROR_INVALID;
    }
    AddIn in;
    std::memcpy(&in, a[0].bi.ptr, sizeof in);
    const uint32_t sum = in.a + in.b;
    std::memcpy(a[1].b.ptr, &sum, sizeof sum);
    a[1].b.size = sizeof sum;
    return Object_OK;
  }
};

void BM_VirtualCall(benchmark::State &state) {
  bench::Adder *adder = bench::make_adder();
  uint32_t i = 0;
  for (auto _ : state) {
    uint32_t sum = 0;
    benchmark::DoNotOptimize(adder->add(AddIn{i, 1}, &sum));
    benchmark::DoNotOptimize(sum);
    ++i;
  }
  delete adder;
}
BENCHMARK(BM_VirtualCall);

void BM_RefInvoke(benchmark::State &state) {
  captee::Ref obj = captee::make_object<AdderObject>();
  uint32_t i = 0;
  for (auto _ : state) {
    uint32_t sum = 0;
    benchmark::DoNotOptimize(obj.invoke(0, captee::in(AddIn{i, 1}), captee::out(sum)));
    benchmark::DoNotOptimize(sum);
    ++i;
  }
}
BENCHMARK(BM_RefInvoke);

void BM_RefCopy(benchmark::State &state) {
  captee::Ref obj = captee::make_object<AdderObject>();
  for (auto _ : state) {
    captee::Ref copy = obj;  // one retain and one release
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_RefCopy);

}  // namespace

BENCHMARK_MAIN();
