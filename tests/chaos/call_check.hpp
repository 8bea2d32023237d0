// The check both storage chaos runs (kill -9 and power loss) make after
// each call, against the model in storage_model.hpp.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "restartable_daemon.hpp"
#include "storage_model.hpp"

namespace captee::test::storage_chaos {

// What the checks counted over a run.
struct Tally {
  unsigned acknowledged = 0, refused = 0, in_flight_old = 0, in_flight_new = 0, checks = 0;
  unsigned call_us = 2000;  // a running mean of how long an undisturbed call takes
};

// After call `seq` (`op` on `model`, answered `result`, which took `took`;
// the model says `expected` and `after`), with `disturbance` naming what hit
// it (a kill, a power cut), or empty: an undisturbed call must answer as
// the model says, and is read back every 25th call; a disturbed one is
// always read back. What is read back must be the state after the call, or
// the state before it if the call was hit and not acknowledged. Advances
// `model`. Fatal failures stop the caller (ASSERT_NO_FATAL_FAILURE).
inline void check_call(StorageClient &client, unsigned seq, const Op &op, uint32_t result,
                       uint32_t expected, std::chrono::microseconds took, const State &after,
                       const std::string &disturbance, State &model, Tally &t) {
  const bool disturbed = !disturbance.empty();
  if (!disturbed) {
    t.call_us = (t.call_us * 7 + unsigned(took.count())) / 8;
    ASSERT_EQ(result, expected) << "call " << seq << ": " << describe(op);
    model = after;
    t.acknowledged += result == TEEC_SUCCESS;
    t.refused += result != TEEC_SUCCESS;
    if (seq % 25 != 0) {
      return;
    }
  }
  // After a crash the TA host (and capteed) are new, and a handle of the
  // killed TA host may take a moment to go.
  std::optional<State> seen;
  ASSERT_TRUE(eventually([&] { return (seen = client.read_all()).has_value(); }, 5000))
      << "call " << seq << ": the objects cannot be read back after " << describe(op);
  ++t.checks;
  const Outcome outcome = judge(model, after, result, disturbed, *seen);
  if (outcome == Outcome::kOld) {
    ++t.in_flight_old;
    return;
  }
  ASSERT_TRUE(outcome == Outcome::kNew)
      << wrong_state(seq, op, result, disturbance, *seen, model, after);
  if (disturbed) {
    t.in_flight_new += result != TEEC_SUCCESS && model != after;
    t.acknowledged += result == TEEC_SUCCESS;
  }
  model = after;
}

}  // namespace captee::test::storage_chaos
