#include "self_deadline.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

#include "captee/channel.hpp"
#include "captee/fd_object.hpp"

namespace captee::tee::apps::detail {

namespace {

class GuardedObject final : public LocalObject {
 public:
  GuardedObject(std::shared_ptr<SelfDeadline> owner, Ref inner)
      : owner_(std::move(owner)), inner_(std::move(inner)) {}
  const SelfDeadline *owner() const { return owner_.get(); }
  Object inner() const { return inner_.get(); }

 protected:
  int32_t on_invoke(uint32_t, ObjectOp op, ObjectArg *a, ObjectCounts k) override {
    return owner_->call(inner_.get(), op, a, k);
  }

 private:
  std::shared_ptr<SelfDeadline> owner_;
  Ref inner_;
};

// Memory needs no guard (it has no code), nor do objects of other domains:
// calling them runs nothing of the TA here, and the domain that hosts them
// answers for its own calls.
bool needs_guard(Object o) {
  return !Object_isNull(o) && LocalObject::from_as<FdObject>(o) == nullptr && !is_remote(o) &&
         LocalObject::from_as<GuardedObject>(o) == nullptr;
}

}  // namespace

SelfDeadline::SelfDeadline(uint32_t deadline_ms) : deadline_ms_(deadline_ms) {
  expire_ = [ms = deadline_ms] {
    char line[96];
    int n = std::snprintf(line, sizeof line,
                          "captee-tahost: a call ran past its %u ms deadline; stopping\n", ms);
    if (n > 0) {
      (void)!::write(2, line, size_t(n));
    }
    // SIGKILL to any thread ends the whole process; seccomp lets the host
    // signal only itself, which is all this needs.
    ::syscall(SYS_tgkill, ::getpid(), ::gettid(), SIGKILL);
  };
}

std::shared_ptr<SelfDeadline> SelfDeadline::create(uint32_t deadline_ms) {
  return std::shared_ptr<SelfDeadline>(new SelfDeadline(deadline_ms));
}

Ref SelfDeadline::guard(Object target) {
  if (!needs_guard(target)) {
    return Ref::share(target);
  }
  return make_object<GuardedObject>(shared_from_this(), Ref::share(target));
}

int32_t SelfDeadline::call(Object target, ObjectOp op, ObjectArg *a, ObjectCounts k) {
  const size_t oi = ObjectCounts_indexOI(k);
  const size_t noi = ObjectCounts_numOI(k);
  Object saved[ObjectCounts_maxOI];
  bool swapped[ObjectCounts_maxOI] = {};
  for (size_t i = 0; i < noi; ++i) {
    auto *g = LocalObject::from_as<GuardedObject>(a[oi + i].o);
    if (g != nullptr && g->owner() == this) {
      saved[i] = a[oi + i].o;
      a[oi + i].o = g->inner();
      swapped[i] = true;
    }
  }
  Watchdog::Watch w;
  w.deadline = Watchdog::Clock::now() + std::chrono::milliseconds(deadline_ms_);
  w.expire = &expire_;
  watchdog_.arm(w);
  int32_t rv = Object_invoke(target, op, a, k);
  watchdog_.disarm(w);
  for (size_t i = 0; i < noi; ++i) {
    if (swapped[i]) {
      a[oi + i].o = saved[i];
    }
  }
  if (rv == Object_OK) {
    const size_t oo = ObjectCounts_indexOO(k);
    for (size_t i = 0; i < ObjectCounts_numOO(k); ++i) {
      Object o = a[oo + i].o;
      if (needs_guard(o)) {
        a[oo + i].o = make_object<GuardedObject>(shared_from_this(), Ref::adopt(o)).detach();
      }
    }
  }
  return rv;
}

}  // namespace captee::tee::apps::detail
