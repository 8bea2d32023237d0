#include "captee/membrane.hpp"

#include <array>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace captee {

MembranePolicy MembranePolicy::allow_all() {
  return MembranePolicy([](Direction, uint32_t) { return true; });
}

MembranePolicy MembranePolicy::only_inward(std::initializer_list<uint32_t> methods) {
  std::vector<uint32_t> allowed(methods);
  return MembranePolicy([allowed = std::move(allowed)](Direction d, uint32_t method) {
    if (d == Direction::kOutward) {
      return true;
    }
    for (uint32_t m : allowed) {
      if (m == method) {
        return true;
      }
    }
    return false;
  });
}

MembranePolicy MembranePolicy::custom(Predicate allows) {
  return MembranePolicy(std::move(allows));
}

namespace {

// The side of the membrane on which an object lives.
enum class Side { kInside, kOutside };

Side opposite(Side s) {
  return s == Side::kInside ? Side::kOutside : Side::kInside;
}

class Wrapper;

// State shared by every wrapper of one membrane and by its revoker. The mutex
// guards `revoked`, `live` and each live wrapper's target. Nothing is invoked
// or released while it is held (only retained), so an object whose release
// re-enters the membrane cannot deadlock it.
class MembraneState : public std::enable_shared_from_this<MembraneState> {
 public:
  explicit MembraneState(MembranePolicy policy) : policy_(std::move(policy)) {}

  const MembranePolicy &policy() const { return policy_; }

  // Moves `obj`, valid on side `from`, to the other side: unwraps it if it is
  // one of this membrane's wrappers around an object of the other side, and
  // wraps it otherwise. A null result for a non-null `obj` means revoked.
  Ref cross(Ref obj, Side from);

  // The target of `w`, retained, or null once revoked.
  Ref target_of(const Wrapper &w);

  void revoke();
  void forget(Wrapper *w, Ref &target_out);

 private:
  MembranePolicy policy_;
  std::mutex mu_;
  bool revoked_ = false;
  std::unordered_set<Wrapper *> live_;
};

// One object seen through the membrane. `side_` is where its target lives; the
// wrapper is held on the opposite side.
class Wrapper final : public LocalObject {
 public:
  Wrapper(std::shared_ptr<MembraneState> state, Ref target, Side side)
      : state_(std::move(state)), target_(std::move(target)), side_(side) {}

  const MembraneState *state() const { return state_.get(); }
  Side side() const { return side_; }

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp op, ObjectArg *args, ObjectCounts k) override;
  void on_last_release() noexcept override {
    Ref dropped;
    state_->forget(this, dropped);
  }

 private:
  friend class MembraneState;
  std::shared_ptr<MembraneState> state_;
  Ref target_;  // guarded by state_->mu_; null after revocation
  Side side_;
};

Ref MembraneState::target_of(const Wrapper &w) {
  std::lock_guard<std::mutex> lock(mu_);
  return revoked_ ? Ref() : w.target_;
}

Ref MembraneState::cross(Ref obj, Side from) {
  if (obj.is_null()) {
    return obj;
  }
  if (const Wrapper *w = LocalObject::from_as<Wrapper>(obj.get());
      w != nullptr && w->state() == this && w->side() != from) {
    return target_of(*w);  // `obj`, our wrapper reference, is released on return
  }
  auto *wrapper = new Wrapper(shared_from_this(), std::move(obj), from);
  Ref wrapped = Ref::adopt(wrapper->as_object());
  bool registered = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!revoked_) {
      live_.insert(wrapper);
      registered = true;
    }
  }
  // Born after revocation: `wrapped` dies here, outside the lock, and with it
  // the target it adopted.
  return registered ? std::move(wrapped) : Ref();
}

void MembraneState::forget(Wrapper *w, Ref &target_out) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.erase(w);
  target_out = std::move(w->target_);
}

void MembraneState::revoke() {
  std::vector<Ref> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (revoked_) {
      return;
    }
    revoked_ = true;
    dropped.reserve(live_.size());
    for (Wrapper *w : live_) {
      dropped.push_back(std::move(w->target_));
    }
  }
  // `dropped` releases every target here, outside the lock.
}

int32_t Wrapper::on_invoke(uint32_t method, ObjectOp op, ObjectArg *args, ObjectCounts k) {
  Ref target = state_->target_of(*this);
  if (target.is_null()) {
    return Object_ERROR_DEFUNCT;
  }
  const Direction dir = side_ == Side::kInside ? Direction::kInward : Direction::kOutward;
  if (!state_->policy().allows(dir, method)) {
    return Object_ERROR_INVALID;
  }

  const size_t total = ObjectCounts_total(k);
  std::array<ObjectArg, 4 * 15> forwarded;
  for (size_t i = 0; i < total; ++i) {
    forwarded[i] = args[i];
  }
  // Inputs come from the holder's side and go to the target's side.
  std::array<Ref, 15> inputs;
  const Side holder_side = opposite(side_);
  for (size_t i = 0; i < ObjectCounts_numOI(k); ++i) {
    const size_t slot = ObjectCounts_indexOI(k) + i;
    Object in = args[slot].o;
    if (Object_isNull(in)) {
      continue;
    }
    inputs[i] = state_->cross(Ref::share(in), holder_side);
    if (inputs[i].is_null()) {
      return Object_ERROR_DEFUNCT;
    }
    forwarded[slot].o = inputs[i].get();
  }
  for (size_t i = 0; i < ObjectCounts_numOO(k); ++i) {
    forwarded[ObjectCounts_indexOO(k) + i].o = Object_NULL;
  }

  const int32_t rv = target.invoke_raw(op, total > 0 ? forwarded.data() : nullptr, k);
  if (rv != Object_OK) {
    return rv;
  }

  // Outputs come from the target's side and go to the holder's side. Cross
  // them all before publishing any, so a revocation mid-way leaks nothing.
  std::array<Ref, 15> outputs;
  bool revoked = false;
  for (size_t i = 0; i < ObjectCounts_numOO(k); ++i) {
    Ref out = Ref::adopt(forwarded[ObjectCounts_indexOO(k) + i].o);
    if (out.is_null()) {
      continue;
    }
    outputs[i] = state_->cross(std::move(out), side_);
    revoked = revoked || outputs[i].is_null();
  }
  if (revoked) {
    return Object_ERROR_DEFUNCT;
  }
  for (size_t i = 0; i < ObjectCounts_numBO(k); ++i) {
    const size_t slot = ObjectCounts_indexBO(k) + i;
    args[slot].b.size = forwarded[slot].b.size;
  }
  for (size_t i = 0; i < ObjectCounts_numOO(k); ++i) {
    args[ObjectCounts_indexOO(k) + i].o = outputs[i].detach();
  }
  return Object_OK;
}

// The revoke handle, as an object (IRevoker: op 0 `revoke`, no arguments).
class RevokerObject final : public LocalObject {
 public:
  explicit RevokerObject(std::shared_ptr<MembraneState> state) : state_(std::move(state)) {}

 protected:
  int32_t on_invoke(uint32_t method, ObjectOp, ObjectArg *, ObjectCounts k) override {
    if (method != Revoker::kOpRevoke || k != 0) {
      return Object_ERROR_INVALID;
    }
    state_->revoke();
    return Object_OK;
  }

 private:
  std::shared_ptr<MembraneState> state_;
};

}  // namespace

Membrane make_membrane(const Ref &target, MembranePolicy policy) {
  auto state = std::make_shared<MembraneState>(std::move(policy));
  Membrane m;
  m.revoker = Revoker(make_object<RevokerObject>(state));
  m.wrapped = state->cross(target, Side::kInside);
  return m;
}

bool is_membrane_wrapper(Object o) noexcept {
  return LocalObject::from_as<Wrapper>(o) != nullptr;
}

}  // namespace captee
