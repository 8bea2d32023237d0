// The durable store's seal thread (src/tee/storage/seal_thread.hpp): records
// come back in order and open, a run ended early or failed leaves nothing
// running, and runs follow each other on one thread. Under TSan too.
#include <gtest/gtest.h>

#include <climits>
#include <vector>

#include "../../src/tee/storage/seal_thread.hpp"

namespace captee::tee::storage::durable {
namespace {

Key32 key() {
  Key32 k;
  k.bytes.fill(9);
  return k;
}

std::vector<uint8_t> plain_of(size_t n) {
  std::vector<uint8_t> p(4096 * n);
  for (size_t i = 0; i < p.size(); ++i)
    p[i] = static_cast<uint8_t>(i * 31 + i / 4096);
  return p;
}

SealThread::Run run_over(Sealer &sealer, const std::vector<uint8_t> &plain, size_t count) {
  SealThread::Run run;
  run.sealer = &sealer;
  run.count = count;
  run.aad = [](size_t i) { return std::vector<uint8_t>{uint8_t(i), 0xaa}; };
  run.plain = [&plain](size_t i) { return std::span(plain).subspan(i * 4096, 4096); };
  return run;
}

TEST(SealThread, RecordsComeBackInOrderAndOpenUnderTheirAad) {
  Sealer sealer(key());
  SealThread thread;
  const auto plain = plain_of(64);
  for (int round = 0; round < 20; ++round) {
    thread.start(run_over(sealer, plain, 64));
    for (size_t i = 0; i < 64; ++i) {
      const std::vector<uint8_t> *sealed = thread.wait_for(i);
      ASSERT_NE(sealed, nullptr) << "round " << round << " record " << i;
      SecretBytes opened;
      ASSERT_TRUE(open_sealed(key(), std::vector<uint8_t>{uint8_t(i), 0xaa}, *sealed, &opened));
      ASSERT_TRUE(std::equal(opened.view().begin(), opened.view().end(),
                             plain.begin() + long(i * 4096),
                             plain.begin() + long(i * 4096 + 4096)));
    }
    thread.finish();
  }
}

// A write that fails half-way ends its run at once: finish() returns with
// the thread out of the run, and the next run is whole.
TEST(SealThread, ARunEndedEarlyLeavesTheThreadReadyForTheNext) {
  Sealer sealer(key());
  SealThread thread;
  const auto plain = plain_of(256);
  for (size_t stop_at : {size_t{0}, size_t{1}, size_t{100}}) {
    thread.start(run_over(sealer, plain, 256));
    if (stop_at > 0) {
      ASSERT_NE(thread.wait_for(stop_at - 1), nullptr);
    }
    thread.finish();
  }
  thread.start(run_over(sealer, plain, 256));
  EXPECT_NE(thread.wait_for(255), nullptr);
  thread.finish();
}

// A record that cannot be sealed (here one longer than GCM through
// OpenSSL's int takes) fails the run there: earlier records are there,
// that one and later ones are not.
TEST(SealThread, ARecordThatCannotBeSealedFailsTheRestOfTheRun) {
  Sealer sealer(key());
  SealThread thread;
  const auto plain = plain_of(8);
  SealThread::Run run = run_over(sealer, plain, 8);
  run.plain = [&plain](size_t i) {
    return i == 5 ? std::span<const uint8_t>(plain.data(), size_t{INT_MAX} + 1)
                  : std::span(plain).subspan(i * 4096, 4096);
  };
  thread.start(std::move(run));
  EXPECT_NE(thread.wait_for(4), nullptr);
  EXPECT_EQ(thread.wait_for(5), nullptr);
  EXPECT_EQ(thread.wait_for(7), nullptr);
  thread.finish();
}

TEST(SealThread, DestroyedInTheMiddleOfARunStopsCleanly) {
  Sealer sealer(key());
  const auto plain = plain_of(256);
  auto thread = std::make_unique<SealThread>();
  thread->start(run_over(sealer, plain, 256));
  thread.reset();
  SUCCEED() << "the destructor ended the run and joined";
}

}  // namespace
}  // namespace captee::tee::storage::durable
